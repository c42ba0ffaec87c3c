"""JSON responses written by orjson carry the same data the standard library would write (issue 14)."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from markupsafe import Markup

from kil_search.web import create_app


@dataclass
class Point:
    x: int
    label: str


def _app(tmp_path, debug: bool = False):
    app = create_app({"corpus_dir": tmp_path / "corpus", "index_dir": tmp_path / "index", "TESTING": True})
    app.debug = debug
    return app


def _standard(data) -> object:
    """Return data as the standard library's JSON round trip gives it (Flask's own conversions for dates)."""
    from flask.json.provider import _default
    return json.loads(json.dumps(data, default=_default))


def test_a_response_holds_the_data_the_standard_library_would_write(tmp_path):
    data = {"excerpt_html": Markup("<mark>café</mark> … “quoted”"), "total": 12, "score": 0.1234, "none": None,
            "when": datetime.date(2024, 3, 1), "point": Point(1, "é"), "nested": [{"b": 1, "a": [True, False]}]}
    app = _app(tmp_path)
    with app.test_request_context():
        response = app.json.response(data)
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data(as_text=True)) == _standard(data)
    assert list(json.loads(response.get_data())["nested"][0]) == ["b", "a"]  # keys in the order given
    assert response.get_data(as_text=True).endswith("\n")


def test_what_orjson_refuses_is_written_by_the_standard_library(tmp_path):
    data = {1: "integer key", "big": 2 ** 70}
    app = _app(tmp_path)
    with app.test_request_context():
        response = app.json.response(data)
    assert json.loads(response.get_data()) == {"1": "integer key", "big": 2 ** 70}


def test_debug_responses_stay_indented_for_people(tmp_path):
    app = _app(tmp_path, debug=True)
    with app.test_request_context():
        body = app.json.response({"a": [1]}).get_data(as_text=True)
    assert body == '{\n  "a": [\n    1\n  ]\n}\n'


def test_the_search_api_answers_in_json_through_the_app(client):
    response = client.get("/api/search", query_string={"q": "care"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["query"] == "care" and data["total"] >= 1
    assert all("<mark>" in passage["excerpt_html"] for result in data["results"] for passage in result["passages"][:1])
