"""The HTML pages: home, results, document pages and the original files."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_file

from ..errors import IndexMissingError
from ..answer import answer_question, looks_like_question
from .security import STORED_HTML_POLICY, STORED_PDF_POLICY
from .common import corpus_file, exact_arg, filter_args, find_document, int_arg, query_arg, search_service, sort_arg
from . import inside
from .documents import document_view
from .links import SearchLinks

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def home():
    """Show the search box and the library's documents."""
    try:
        documents = [document_view(record) for record in search_service().documents()]
    except IndexMissingError:
        documents = []
    return render_template("home.html", documents=documents)


@blueprint.get("/search")
def search():
    """Show a page of results for ?q= (and/or facet filters), with an answer card when q reads as a question."""
    return _results_page(always_answer=False)


@blueprint.get("/ask")
def ask():
    """Show the results page for ?q= with its answer card, whether or not q reads as a question."""
    return _results_page(always_answer=True)


def _results_page(always_answer: bool):
    """Render results with facets beside them and, on the first page, the answer card above them."""
    if inside.wanted():
        return inside.inside_page()
    text, filters = query_arg(), filter_args()
    if not text and not filters:
        return render_template("home.html", documents=None, empty_query=True)
    settings = current_app.config["SETTINGS"]
    page = int_arg("page", 1, 1, 1000)
    per_page = int_arg("per_page", settings.per_page, 1, settings.max_per_page)
    try:
        results = search_service().search(text, page=page, per_page=per_page, filters=filters, sort=sort_arg(), exact=exact_arg())
        wanted = bool(text) and page == 1 and (always_answer or looks_like_question(text))
        answer = answer_question(search_service(), text, filters=filters) if wanted else None
    except IndexMissingError:
        return render_template("error.html", code=503, message="The search index has not been built yet."), 503
    links = SearchLinks(text, filters, results.sort, results.exact)
    return render_template("search.html", q=text, results=results, links=links, answer=answer)


@blueprint.get("/documents/<path:doc_id>")
def document(doc_id: str):
    """Show a document's metadata, outline and (for web pages) its sections."""
    record = find_document(doc_id)
    view = document_view(record, search_service().passages_of(record["doc_id"]))
    related = [document_view(other) for other in search_service().related(record["doc_id"])]
    return render_template("document.html", document=view, related=related)


@blueprint.get("/documents/<path:doc_id>/file")
def document_file(doc_id: str):
    """Serve the original file of an indexed document (and nothing else)."""
    path = corpus_file(doc_id)
    is_pdf = path.suffix.lower() == ".pdf"
    response = send_file(path, mimetype="application/pdf" if is_pdf else "text/html", conditional=True)
    response.headers["Content-Security-Policy"] = STORED_PDF_POLICY if is_pdf else STORED_HTML_POLICY
    return response
