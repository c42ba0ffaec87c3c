"""What real reports taught the answers (issue 15): a question naming a council is answered from what is about that
council, never from another council's report; a form's field line ("Dates of previous inspection: ...") answers only a
question about that field; a printed page's footer of web addresses and a page's footnotes are never answers."""

from __future__ import annotations

import pytest
from builders import make_html, make_pdf
from conftest import indexed_client

from kil_search.answer.candidates import Page, Unit, is_list, units_of
from kil_search.answer.question import analyse_question
from kil_search.answer.shapes import has_shape


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The app over councils' inspection pages: eleven say more of a question about Rotherham than its own."""
    root = tmp_path_factory.mktemp("places")
    web = root / "corpus" / "web"
    web.mkdir(parents=True)
    make_html(web / "calderdale.html", title="Speech and language support in Calderdale",
              body_html="<h1>Speech and language support in Calderdale</h1><h2>Findings</h2>"
                        "<p>Children with additional needs wait eleven weeks for a speech therapy assessment, and "
                        "families say the wait for speech therapy is the hardest part.</p>"
                        "<h2>Inspection details</h2><p>Dates of previous inspection: 9 to 11 December 2019</p>")
    make_html(web / "rotherham.html", title="Speech and language support in Rotherham",
              body_html="<h1>Speech and language support in Rotherham</h1><h2>What inspectors found</h2>"
                        "<p>Children wait around nine weeks for an assessment by the therapy team.</p>"
                        "<p>Leaders have recruited two more therapists since the last visit.</p>")
    # More pages than an answer reads, each saying more of the question than Rotherham's does.
    for weeks, council in enumerate(("Leeds", "Bradford", "Kirklees", "Wakefield", "Barnsley", "Sheffield", "Doncaster",
                                     "Oldham", "Bolton", "Wigan"), start=12):
        make_html(web / f"{council.lower()}.html", title=f"Speech and language support in {council}",
                  body_html=f"<h1>Speech and language support in {council}</h1><p>Children in {council} wait {weeks} "
                            "weeks for a speech therapy assessment; the wait for speech therapy worries families.</p>")
    return indexed_client(root / "corpus", root / "index")


def ask(client, question: str) -> dict | None:
    """Return the first card /api/ask gives, or None."""
    return client.get("/api/ask", query_string={"q": question}).get_json()["answer"]


def test_the_council_named_is_the_one_answering(client):
    answer = ask(client, "How long do children in Rotherham wait for a speech therapy assessment?")
    assert answer is not None and answer["document"]["id"] == "web/rotherham.html" and "nine weeks" in answer["text"]


def test_a_council_the_library_does_not_cover_gets_no_answer_from_another(client):
    answer = ask(client, "How long do children in Wiltshire wait for a speech therapy assessment?")
    assert answer is None


@pytest.mark.parametrize("question, fits", [
    ("How long do families in Medway wait for an EHC plan?", False),
    ("What should the council do to improve its plans?", False),
    ("When was the previous inspection?", True),
    ("What were the dates of the last inspection?", True),
])
def test_a_field_line_answers_only_a_question_about_its_label(question, fits):
    unit = Unit(None, "Dates of previous inspection: 9 to 11 December 2019", "sentence", "", "", (), 0)
    assert has_shape(analyse_question(question), unit) is fits


@pytest.mark.parametrize("question, fits", [
    ("Who was the lead inspector?", True),
    ("Who led the inspection?", True),
    ("What do inspectors say about caseloads?", False),
    ("How do inspectors judge the front door?", False),
])
def test_a_field_line_answers_only_a_question_asking_for_its_kind_of_value(question, fits):
    unit = Unit(None, "Lead inspector: Ann Marlow, His Majesty's Inspector", "row", "", "", (), 0)
    assert has_shape(analyse_question(question), unit) is fits


@pytest.mark.parametrize("question, fits", [
    ("What did Ofsted find about the front door?", False),
    ("What is Ofsted's telephone number?", True),
    ("What is Ofsted's email address?", True),
])
def test_a_contact_block_answers_only_a_question_asking_how_to_reach_someone(question, fits):
    unit = Unit(None, "Textphone 0161 618 8524 enquiries@ofsted.gov.uk www.gov.uk/ofsted", "row", "", "", (), 0)
    assert has_shape(analyse_question(question), unit) is fits


def test_a_sentence_with_a_colon_is_no_field():
    unit = Unit(None, "Our advice: talk to commissioners early, before the service is designed and long before a "
                      "tender is out.", "sentence", "", "", (), 0)
    assert has_shape(analyse_question("When should a charity talk to commissioners?"), unit)


def test_the_field_answers_a_question_about_it_through_the_app(client):
    answer = ask(client, "When was the previous inspection in Calderdale?")
    assert answer is not None and answer["text"].startswith("Dates of previous inspection: 9 to 11 December 2019")


def test_a_printed_page_footer_of_web_addresses_is_no_answer():
    """A web page printed to PDF ends each page with its address and a page count, glued to the last words above."""
    text = ("The government accepted the recommendation on redress in full.\n"
            "Claimants will be able to join it.\n"
            "https://www.example.gov.uk/government/publications/response-to-the-inquiry-report/response 11/16")
    page = Page({"format": "pdf", "page": 11, "doc_id": "response.pdf"}, text, 0, 1.0)
    texts = [unit.text for unit in units_of(page)]
    assert "The government accepted the recommendation on redress in full." in texts
    assert not any("https://" in text for text in texts)


def test_footnotes_at_the_foot_of_a_pdf_page_are_no_answer():
    text = ("The committee recommends that the space agency publish a ten-year plan.\n"
            "56 Department for Science, Innovation and Technology, Space sector figures, 30 June 2025\n"
            "57 House of Commons Library, The UK Space Industry, 30 June 2025\n"
            "58 Q 112.")
    page = Page({"format": "pdf", "page": 18, "doc_id": "space.pdf"}, text, 0, 1.0)
    assert [unit.text for unit in units_of(page)] == [
        "The committee recommends that the space agency publish a ten-year plan."]


def test_footnotes_wrapped_onto_lines_of_their_own_are_no_answer():
    """Notes whose sources wrap ("GOV.UK", "(https://...)") are still the page's notes, down to the last, and so is
    the first note when it opens in lower case."""
    text = ("The agency will publish its plan for launch sites in the spring, the department said in its reply.\n"
            "1 s14(1)(a) Inquiries Act 2005 RLIT0002407\n"
            "2 Space Agency Annual Report 2024-2025 - GOV.UK - Section 11, Our performance\n"
            "3 Revolutionary city-scanning satellite set to transform climate monitoring -\nGOV.UK\n"
            "4 Pandemic Preparedness Strategy 2011, Department of Health, November 2011, para 3.1\n"
            "(https://assets.example.gov.uk/media/5a7c4767/dh_131040.pdf; INQ000102974)")
    page = Page({"format": "pdf", "page": 6, "doc_id": "reply.pdf"}, text, 0, 1.0)
    assert [unit.text for unit in units_of(page)] == [
        "The agency will publish its plan for launch sites in the spring, the department said in its reply."]


def test_a_numbered_heading_near_the_foot_is_no_footnote():
    text = ("Our approach\nWe meet each partner before a contract is written.\n"
            "4 Next steps\nThe council will review the contract in 2026.")
    page = Page({"format": "pdf", "page": 6, "doc_id": "guide.pdf"}, text, 0, 1.0)
    assert "The council will review the contract in 2026." in [unit.text for unit in units_of(page)]


def test_a_date_printed_at_the_foot_of_a_title_page_is_no_footnote():
    """A report's title page ends with its date of printing on a line of its own: "18 July 2024" opens with a number
    and a capital as note 18 would, but it answers when the report was laid before Parliament."""
    text = ("The resilience and preparedness of the United Kingdom\n"
            "Presented to Parliament pursuant to section 26 of the Inquiries Act 2005\n"
            "Ordered by the House of Commons to be printed\n18 July 2024")
    page = Page({"format": "pdf", "page": 3, "doc_id": "inquiry.pdf"}, text, 0, 1.0)
    assert "18 July 2024" in [unit.text for unit in units_of(page)]


def test_footnotes_citing_dates_are_still_footnotes():
    text = ("The committee took evidence from the department.\n"
            "12 Written evidence from the department, 3 March 2025\n"
            "13 Oral evidence taken on 14 April 2025, Q 46")
    page = Page({"format": "pdf", "page": 8, "doc_id": "committee.pdf"}, text, 0, 1.0)
    assert [unit.text for unit in units_of(page)] == ["The committee took evidence from the department."]


def test_a_web_address_broken_by_the_print_is_still_an_address():
    text = ("The findings are set out below.\nScheme details are at https://www.example.gov.uk/publications/infected-com "
            "pensation-scheme-summary-august-2024/infected-blood-compe nsation-scheme-summary-august-2024")
    page = Page({"format": "pdf", "page": 67, "doc_id": "response.pdf"}, text, 0, 1.0)
    assert [unit.text for unit in units_of(page)] == ["The findings are set out below."]


def test_a_page_ending_in_numbered_findings_keeps_them():
    text = "Findings\n53. Effective work has been done with partners.\n54. Leaders know their strengths well."
    page = Page({"format": "pdf", "page": 9, "doc_id": "inspection.pdf"}, text, 0, 1.0)
    assert any("Leaders know their strengths well" in unit.text for unit in units_of(page))


@pytest.fixture(scope="module")
def inspection(tmp_path_factory):
    """The app over an inspection report whose first page lists its grades line by line above the summary."""
    root = tmp_path_factory.mktemp("inspection")
    (root / "corpus").mkdir()
    first = ("Inspection of Wyre local authority children's services\n"
             "Inspection dates: 16 to 20 October 2023\n"
             "Lead inspector: Ann Marlow, His Majesty's Inspector\n"
             "Judgement Grade\nThe impact of leaders on social work practice\nGood\n"
             "The experiences and progress of care leavers\nGood\nOverall effectiveness Good\n"
             "Steady progress since the last inspection has made help for families consistently good. Leaders know "
             "their services well, caseloads are manageable and social workers stay, so children keep the same "
             "worker for longer. Care leavers are helped to find homes and work, although too few take up "
             "apprenticeships with the council itself. Partners in health and the police share information "
             "quickly when children are at risk, and the front door team makes sound decisions the same day.")
    second = ("What needs to improve\nThe quality of supervision of personal advisers.\n"
              "The help given to young people aged sixteen and seventeen who are homeless.")
    make_pdf(root / "corpus" / "wyre-inspection.pdf", [first, second], title="Inspection of Wyre children's services")
    return indexed_client(root / "corpus", root / "index")


def test_an_inspection_reports_first_page_answers_when_and_who(inspection):
    when = ask(inspection, "When was Wyre's children's services inspection?")
    assert when is not None and "16 to 20 October 2023" in when["text"]
    who = ask(inspection, "Who was the lead inspector for Wyre?")
    assert who is not None and "Ann Marlow" in who["text"]


def test_a_row_naming_another_council_is_not_the_answer(tmp_path):
    """A table comparing councils: the page names both, but only the asked council's row answers."""
    web = tmp_path / "corpus" / "web"
    web.mkdir(parents=True)
    make_html(web / "multipliers.html", title="Local multiplier scores of community hubs",
              body_html="<h1>Local multiplier scores of community hubs</h1><p>Hubs measured how much of each pound "
                        "stayed in their area. Each hub counted what it spent with local suppliers and staff, and "
                        "what those suppliers and staff spent in turn.</p><p>The table gives each hub's score; a score "
                        "of 2 means each pound spent became two pounds in the local economy.</p><table><tr><th>Council</th><th>Hub</th><th>Score</th></tr>"
                        "<tr><td>Norfolk</td><td>Lynn community care network multiplier score</td><td>1.70</td></tr>"
                        "<tr><td>Cornwall</td><td>Penwith hub</td><td>1.97</td></tr></table>")
    client = indexed_client(tmp_path / "corpus", tmp_path / "index")
    answer = ask(client, "What multiplier score did the community care network in Cornwall achieve?")
    assert answer is None or ("1.97" in answer["text"] and "1.70" not in answer["text"])


def test_a_month_is_no_ones_name():
    """"Who led the inspection?" wants a name: the dates line's capitalised months are none, the lead inspector's line has one."""
    from kil_search.answer.answer_types import answer_type_evidence
    question = analyse_question("Who led the inspection of Wyre's children's services?")
    assert answer_type_evidence(question, "Inspection dates: 27 September to 8 October 2021")[2] == -1.0
    assert answer_type_evidence(question, "Lead inspector: Ann Marlow, His Majesty's Inspector")[2] == 1.0


def test_a_reports_paragraph_number_is_no_figure():
    """A report's numbered paragraph ("34. Social workers ...") does not answer "how many" with its number."""
    text = ("Help and protection\n34. Social workers in the front door team know the families they work with and "
            "visit children promptly when schools raise concerns.\n35. Partnership work with the police is strong, and "
            "managers check that 12 plans a week are followed through.")
    page = Page({"format": "pdf", "page": 6, "doc_id": "inspection.pdf"}, text, 0, 1.0)
    question = analyse_question("How many social workers are in the front door team?")
    units = {unit.text.split()[0]: unit for unit in units_of(page)}
    assert not has_shape(question, units["34."])
    assert has_shape(question, units["35."])  # its figure is in the sentence, not the paragraph's number


def test_a_reports_long_numbered_paragraph_is_read_sentence_by_sentence():
    """An inspection report numbers its paragraphs; the card quotes the sentence that answers, not the whole paragraph,
    while a numbered list of short points stays whole."""
    text = ("Findings\n41. Senior leaders work closely with the district councils and with health partners across the "
            "county. Caseloads are manageable, at around eighteen children for each social worker. Managers meet "
            "their teams every week to review plans for children at risk and to agree the next steps.\n"
            "42. Leaders know their services well and act quickly when practice falls short of what children need.")
    page = Page({"format": "pdf", "page": 7, "doc_id": "inspection.pdf"}, text, 0, 1.0)
    texts = [unit.text for unit in units_of(page)]
    assert "Caseloads are manageable, at around eighteen children for each social worker." in texts
    short = Page({"format": "pdf", "page": 3, "doc_id": "guide.pdf"},
                 "Three steps\n1. Map the local organisations. Talk to them.\n2. Design the service with them.\n"
                 "3. Keep the contract small.", 0, 1.0)
    assert "1. Map the local organisations. Talk to them." in [unit.text for unit in units_of(short)]


def test_an_inspection_reports_grade_table_answers_how_something_was_rated(inspection):
    """The first page's table gives each judgement a grade, on its line or the next: a question about a rating gets the
    row with its grade, and a question about something else never gets a bare row."""
    overall = ask(inspection, "What was Wyre's overall effectiveness judgement?")
    assert overall is not None and overall["text"] == "Overall effectiveness Good"
    leavers = ask(inspection, "How were Wyre's care leavers rated?")
    assert leavers is not None and leavers["text"] == "The experiences and progress of care leavers: Good"
    improve = ask(inspection, "What should Wyre's council improve for care leavers?")
    assert improve is None or "Good" not in improve["text"]


@pytest.fixture(scope="module")
def older_report(tmp_path_factory):
    """An older inspection report: a cover with its fields under a title wrapped over two lines, then pages that
    discuss earlier inspections at length."""
    root = tmp_path_factory.mktemp("older")
    (root / "corpus").mkdir()
    cover = ("Exton Metropolitan Borough Council children's services, a report\n"
             "of the re-inspection of services for children in need of help and\n"
             "protection, children looked after and care leavers in the borough\n"
             "Inspection dates: 9 to 24 November 2017\nReport published: 19 January 2018\n"
             "Children's services in Exton are good")
    history = ("At the Ofsted inspection in 2012, all inspected services in Exton were judged to be inadequate. At the "
               "last Ofsted inspection of Exton in 2015, help and protection were still inadequate. Since that "
               "inspection Exton has rebuilt its front door, and inspectors found that social workers now visit "
               "children promptly and plan well with families.")
    body = ("Leaders in Exton know their services well. Caseloads are manageable and most social workers are "
            "permanent, so children keep the same worker. Care leavers are helped to find homes, training and work.")
    make_pdf(root / "corpus" / "exton-reinspection.pdf", [cover, history, body], title="Exton Metropolitan Borough Council")
    return indexed_client(root / "corpus", root / "index")


def test_a_covers_fields_answer_when_the_body_discusses_other_inspections(older_report):
    """The cover says nothing in sentences, yet its fields date the inspection; pages about earlier inspections
    share more of the question's words."""
    when = ask(older_report, "When did Ofsted inspect Exton?")
    assert when is not None and "9 to 24 November 2017" in when["text"]
    published = ask(older_report, "When was the Exton report published?")
    assert published is not None and "19 January 2018" in published["text"]


def test_a_quotation_is_no_form_field():
    """'The council's champion said: "..."' has a colon, but it is a quotation: it is not preferred as a field."""
    from kil_search.answer.shapes import preferred
    unit = Unit(None, 'The council\'s senior management champion said: "We used to commission fourteen services.',
                "sentence", "", "", (), 0)
    question = analyse_question("By how much did referrals to children's social care fall on the estates?")
    assert not preferred(question, unit, [], 0)


def test_square_bullets_make_a_list():
    """Ofsted's reports mark their points with '◼': the heading over them announces a list."""
    text = ("What needs to improve?\n◼ Partnership arrangements, so that they lead to effective help.\n"
            "◼ The response to risk by social workers.\n◼ The quality of supervision.")
    page = Page({"format": "pdf", "page": 2, "doc_id": "inspection.pdf"}, text, 0, 1.0)
    lists = [unit for unit in units_of(page) if is_list(unit)]
    assert len(lists) == 1 and lists[0].text.count("\n") == 3


@pytest.mark.parametrize("text, fits", [
    ("This letter summarises the focused visit to Walsall children's services on 18 and 19 November 2019.", False),
    ("Inspection dates: 9 to 24 November 2017", False),
    ("At 31 August 2016, 854 children were the subject of a child protection plan.", True),
])
def test_a_day_of_the_month_is_no_count(text, fits):
    """"How many children ..." is not answered by a date's day; a count beside a date still answers it."""
    question = analyse_question("How many children were on child protection plans in Walsall?")
    assert has_shape(question, Unit(None, text, "sentence", "", "", (), 0)) is fits


def test_a_sentence_cut_by_the_page_break_is_answered_whole(tmp_path):
    """The card quotes the whole sentence, not the half printed on the page that answers best."""
    (tmp_path / "corpus").mkdir()
    first = ("Hubs across the county were reviewed in the spring by the council and its partners. Most had kept their "
             "users and their volunteers through a difficult year. After a long review of the evidence, the council "
             "agreed to keep funding the Brockwell community hub in the market square for")
    second = ("three more years, with a review in the second year. The hub will also take on the library's "
              "reading groups and a weekly advice session run by volunteers.")
    third = "Other hubs will be reviewed again next spring, when their leases end."
    make_pdf(tmp_path / "corpus" / "hubs-review.pdf", [first, second, third], title="Review of community hubs")
    client = indexed_client(tmp_path / "corpus", tmp_path / "index")
    answer = ask(client, "For how many more years will the council fund the Brockwell community hub?")
    assert answer is not None
    assert "Brockwell community hub in the market square for three more years" in answer["text"]


@pytest.mark.parametrize("text, fits", [
    ("Post Office Horizon IT Inquiry Report: Volume 1", False),
    ("Report published: 19 January 2018", True),
])
def test_a_field_answers_when_only_with_a_date(text, fits):
    """A title printed as 'Label: value' is no field for a 'when' question unless its value dates something."""
    question = analyse_question("When was volume 1 of the inquiry report published?")
    assert has_shape(question, Unit(None, text, "row", "", "", (), 0)) is fits


def test_a_postcode_is_no_answer_unless_an_address_is_asked():
    unit = Unit(None, "DL1 5QT", "row", "", "", (), 0)
    assert not has_shape(analyse_question("What did inspectors say about the local offer in Darlington?"), unit)
    assert has_shape(analyse_question("What is the postcode of Darlington's SEND office?"), unit)


def test_a_reports_summary_list_answers_what_needs_to_improve(tmp_path):
    """The report's second page lists what needs to improve; its later pages use "improve" more often."""
    (tmp_path / "corpus").mkdir()
    summary = ("Services for children in Exford have declined since the last inspection, and leaders have been slow to "
               "act on what the focused visit found. Social workers change too often, and plans drift for many children.")
    improve = ("What needs to improve?\n- The stability of the social work workforce.\n"
               "- The timeliness of strategy meetings for children at risk.\n- The quality of supervision and case audits.")
    later = [f"Leaders in Exford know what {topic} needs and want to improve it; improvement boards meet monthly to "
             f"improve {topic} for children in Exford, and partners say their part needs to improve too."
             for topic in ("early help", "fostering", "adoption", "care leavers' housing", "youth justice",
                           "private fostering", "disabled children's services")]
    make_pdf(tmp_path / "corpus" / "exford-inspection.pdf", [summary, improve, *later], title="Inspection of Exford")
    client = indexed_client(tmp_path / "corpus", tmp_path / "index")
    answer = ask(client, "What needs to improve in Exford?")
    assert answer is not None and "timeliness of strategy meetings" in answer["text"]


def test_a_number_in_a_name_is_no_count():
    """"COVID-19" counts nothing: "how many foster carers" is not answered by a sentence whose only number is in it."""
    question = analyse_question("How many foster carers does Newcastle have?")
    unit = Unit(None, "There has been an increase in foster carers despite the challenges of the COVID-19 pandemic.",
                "sentence", "", "", (), 0)
    assert not has_shape(question, unit)


def test_grades_printed_on_their_rows_lines_make_graded_rows():
    """Some reports print each grade at the end of its row's line: the word ending several lines is the grade."""
    text = ("Inspection of Exmoor children's services\nJudgement Grade\n"
            "The impact of leaders on social work practice with children and families Good\n"
            "The experiences and progress of children who need help and protection Good\n"
            "The experiences and progress of children in care and care leavers Good\nOverall effectiveness Good\n"
            "Since the last inspection in 2016, leaders have improved practice across most of the service, and children "
            "are helped, protected and cared for to a good standard by social workers who know them well. Partners "
            "share information quickly and the front door makes sound decisions on the same day. Care leavers are "
            "helped to find homes and work, and most say that their personal advisers listen to them.")
    page = Page({"format": "pdf", "page": 1, "doc_id": "exmoor.pdf", "title": "Exmoor"}, text, 0, 1.0)
    rows = [unit.text for unit in units_of(page) if unit.kind == "label"]
    assert "Overall effectiveness Good" in rows and len(rows) == 4
    question = analyse_question("What overall effectiveness grade did Exmoor get?")
    assert has_shape(question, next(unit for unit in units_of(page) if unit.text == "Overall effectiveness Good"))


def test_a_line_saying_nothing_beyond_the_question_is_no_answer():
    """"Inquiry Module 1 Report" repeats the question's own words: it cannot be what the question asks for."""
    question = analyse_question("What is recommendation 1 of the inquiry's module 1 report?")
    assert not has_shape(question, Unit(None, "Inquiry Module 1 Report", "row", "", "", (), 0))
    assert has_shape(question, Unit(None, "Recommendation 1: publish a pandemic strategy every three years.", "item", "", "", (), 0))


@pytest.mark.parametrize("question, text, fits", [
    ("When is the next inspection due?", "Dates of previous inspection: 22 to 26 May 2017", False),
    ("When is the next inspection due?", "Inspection dates: 20 to 24 March 2023", False),
    ("When is the next review?", "Next review: March 2026", True),
    ("When was the inspection?", "Dates of previous inspection: 22 to 26 May 2017", False),
    ("When was the last inspection before this one?", "Dates of previous inspection: 22 to 26 May 2017", True),
    ("When was the inspection?", "Inspection dates: 20 to 24 March 2023", True),
])
def test_a_fields_dates_answer_only_a_question_about_the_same_time(question, text, fits):
    assert has_shape(analyse_question(question), Unit(None, text, "row", "", "", (), 0)) is fits
