"""The councils gazetteer: names and variants, council types, and councils named in running text."""

from __future__ import annotations

import pytest

from kil_search.places import COUNCIL_TYPES, DATA_DIR, load_gazetteer

ATTRIBUTION = ("Contains data from mySociety's UK Local Authority Names and Codes and Local Authority Similarity "
               "datasets, CC BY 4.0.")


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


def found(gazetteer, text, known=frozenset()):
    """Return (code, words as written) of every council found in text."""
    return [(mention.code, text[mention.start:mention.end]) for mention in gazetteer.find(text, known=known)]


def test_data_files_carry_the_attribution():
    for name in ("uk-local-authorities.csv", "uk-local-authority-names.csv", "README.md"):
        assert ATTRIBUTION in (DATA_DIR / name).read_text(encoding="utf-8"), name


@pytest.mark.parametrize("name, code, council_type, region", [
    ("Bradford", "BRD", "metropolitan district", "Yorkshire and The Humber"),
    ("City of Bradford Metropolitan District Council", "BRD", "metropolitan district", "Yorkshire and The Humber"),
    ("Bradford Council", "BRD", "metropolitan district", "Yorkshire and The Humber"),
    ("Lewisham", "LEW", "London borough", "London"),
    ("East Sussex", "ESX", "county", "South East"),
    ("Malvern Hills District Council", "MAV", "district", "West Midlands"),
    ("Bristol", "BST", "unitary", "South West"),
    ("City of London", "LND", "city", "London"),
    ("Newcastle", "NET", "metropolitan district", "North East"),
    ("Fife", "FIF", "unitary", "Scotland"),
    ("Aylesbury Vale", "AYL", "district", "South East"),
])
def test_names_resolve_to_councils_with_normalised_types(gazetteer, name, code, council_type, region):
    council = gazetteer.resolve(name)
    assert (council.code, council.council_type, council.region) == (code, council_type, region)


def test_replaced_councils_still_resolve_and_say_so(gazetteer):
    aylesbury = gazetteer.resolve("Aylesbury Vale")
    assert not aylesbury.current and aylesbury.replaced_by == "BUC"
    assert all(council.current for council in gazetteer.councils())


def test_profile_fields_for_councils_like_mine(gazetteer):
    bradford = gazetteer.resolve("BRD")
    assert bradford.deprivation_quintile == 1 and bradford.settlement_type == "Urban"


def test_every_type_in_the_data_maps_to_a_shown_type(gazetteer):
    assert {council.type_code for council in gazetteer.councils(current_only=False)} <= set(COUNCIL_TYPES)


@pytest.mark.parametrize("name", ["England", "Yorkshire", "the council", ""])
def test_non_councils_do_not_resolve(gazetteer, name):
    assert gazetteer.resolve(name) is None


def test_longest_name_wins(gazetteer):
    text = "Newcastle upon Tyne and Newcastle-under-Lyme; East Sussex County Council; King's Lynn and West Norfolk"
    assert found(gazetteer, text) == [
        ("NET", "Newcastle upon Tyne"), ("NEC", "Newcastle-under-Lyme"), ("ESX", "East Sussex County Council"),
        ("KIN", "King's Lynn and West Norfolk"),
    ]


def test_names_wrapped_over_lines_are_found(gazetteer):
    assert found(gazetteer, "Cheshire West and\nChester is a unitary authority") == [("CHW", "Cheshire West and\nChester")]


@pytest.mark.parametrize("text", [
    "Reading this report, you will see why.",
    "reading and bath time",
    "We ran a Bath time club.",
    "The Rother Valley Homes Project works in the north.",
    "A trip to New York.",
    "The Short Warwick-Edinburgh Mental Wellbeing Scale.",
    "Many barriers are set in Westminster: procurement law.",
    "the bradford model",
    "West Yorkshire has five councils.",
])
def test_words_that_only_look_like_places_are_not_places(gazetteer, text):
    assert found(gazetteer, text) == []


@pytest.mark.parametrize("text, expected", [
    ("Reading Borough Council funded it.", [("RDG", "Reading Borough Council")]),
    ("Councils in Reading and Slough took part.", [("RDG", "Reading"), ("SLG", "Slough")]),
    ("We met officers in Bath.", [("BAS", "Bath")]),
    ("Bath, Bristol and Swindon", [("BAS", "Bath"), ("BST", "Bristol"), ("SWD", "Swindon")]),
    ("Westminster City Council", [("WSM", "Westminster City")]),
    ("Bradford's council and Leeds Community Foundation", [("BRD", "Bradford"), ("LDS", "Leeds")]),
])
def test_ambiguous_names_count_with_context(gazetteer, text, expected):
    assert found(gazetteer, text) == expected


def test_catalogue_places_need_no_context(gazetteer):
    hastings = gazetteer.resolve("Hastings").code
    assert found(gazetteer, "Hastings Pier reopened.") == []
    assert found(gazetteer, "Hastings Pier reopened.", known=frozenset({hastings})) == [(hastings, "Hastings")]
