"""A list question naming a document by its title's words finds the page announcing the list (issue 15)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from builders import make_pdf
from conftest import indexed_client

OTHER = ("Skippers and harbour wardens both use this guide: wardens keep the guide in the harbour office and skippers "
         "keep the guide on board, and the guide is revised by wardens and skippers together each spring. ")
GUIDE_PAGES = [
    "Mooring guide for skippers and harbour wardens. " + OTHER * 3,
    "Why the harbour needs a mooring guide. The quay was rebuilt after the storms and the basin is busier than "
    "it has been for decades. The first part explains the tides; the second describes the berths. The third "
    "sets out six practical rules that every boat owner can follow:",
    "1. Book a berth before arriving at the quay.\n"
    "2. Keep the fairway clear at low water.\n"
    "3. Show a riding light after dark.\n"
    "4. Pay harbour dues at the office each month.\n"
    "5. Report damage to the pontoons at once.\n"
    "6. Take rubbish and old rope to the recycling point.\n"
    "The harbour office will explain any of them to new owners.",
    *[f"Chapter {number}. " + OTHER * 3 for number in range(4, 10)],
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """Return a test client over a guide whose list is announced on a page its title's words do not find."""
    root = tmp_path_factory.mktemp("announced")
    (root / "corpus" / "reports").mkdir(parents=True)
    make_pdf(root / "corpus" / "reports" / "mooring-guide.pdf", GUIDE_PAGES,
             title="Mooring guide for skippers and harbour wardens")
    return indexed_client(root / "corpus", root / "index")


def test_the_page_announcing_the_counted_list_of_a_retrieved_document_answers(client):
    answer = client.get(f"/api/ask?q={quote('What are the six rules in the guide for skippers and wardens?')}"
                        ).get_json()["answer"]
    assert answer is not None and answer["page"] == 2
    for rule in ("Book a berth", "fairway clear", "riding light", "harbour dues", "pontoons", "recycling point"):
        assert rule in answer["text"]
