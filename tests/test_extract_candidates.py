"""Possible new initiatives: bodies Kazakhstan proposed, founded, hosts or chairs that the
gazetteer does not know."""

from __future__ import annotations

import pytest

from etl.extract import extract_article, load_gazetteer, load_themes
from etl.extract.candidates import name_key
from etl.model import PublicationDate
from tests.conftest import REFERENCE_DIR


@pytest.fixture(scope="module")
def reference():
    return load_gazetteer(REFERENCE_DIR), load_themes(REFERENCE_DIR)


def candidates(reference, text: str) -> list[tuple[str, str]]:
    gazetteer, themes = reference
    found = extract_article(text, PublicationDate(2024, 3, 12), gazetteer, themes)
    return [(c.surface, c.relation) for c in found.candidates]


@pytest.mark.parametrize(("text", "expected"), [
    ("In 2021 Kazakhstan proposed establishing a Regional Centre for Glacier Monitoring in "
     "Almaty.", ("Regional Centre for Glacier Monitoring", "proposed")),
    ("President Kassym-Jomart Tokayev put forward the idea of creating an International "
     "Platform for Nomadic Heritage.", ("International Platform for Nomadic Heritage",
                                        "proposed")),
    ("Kazakhstan's proposal to set up a Central Asian Seed Bank was welcomed by donors.",
     ("Central Asian Seed Bank", "proposed")),
    ("The Kazakh side suggested launching a Caspian Transport Coordination Council.",
     ("Caspian Transport Coordination Council", "proposed")),
    ("Delegates gathered at the Astana-based International Centre for Water Diplomacy, set up "
     "at Kazakhstan's initiative in 2019.", ("International Centre for Water Diplomacy",
                                             "hosts")),
    ("The Eurasian Council of Digital Regulators, established on the initiative of President "
     "Tokayev, met for the second time.", ("Eurasian Council of Digital Regulators",
                                           "founded")),
    ("Since last year Kazakhstan chairs the Steppe Rivers Basin Commission, which meets twice "
     "a year.", ("Steppe Rivers Basin Commission", "chairs")),
    # where and when it happened are not part of the name
    ("Reporters visited the Nur-Sultan-based Eurasian Academy of Nomad Crafts on Friday.",
     ("Eurasian Academy of Nomad Crafts", "hosts")),
])
def test_a_body_kazakhstan_proposed_founded_hosts_or_chairs_is_a_candidate(
        reference, text: str, expected: tuple[str, str]) -> None:
    assert candidates(reference, text) == [expected]


@pytest.mark.parametrize("text", [
    # generic nouns, lower case or a single capitalised word
    "Kazakhstan proposed a new platform for dialogue between the regions.",
    "The Organisation was founded by Kazakhstan and four neighbours.",
    # not founding, proposing, hosting or chairing
    "Kazakhstan joined the Asian Infrastructure Investment Bank in 2015.",
    "Kazakhstan established diplomatic relations with the Gulf Cooperation Council in 1992.",
    # someone else's act, Kazakhstan only mentioned
    "The World Bank opened an office in Astana in 2001.",
    "Uzbekistan proposed creating a Regional Water Council, and Kazakhstan agreed to study it.",
    # a national body, an edition, a headline
    "The Kazakhstan Institute for Strategic Studies, set up by President Nazarbayev, "
    "published a report.",
    "Kazakhstan hosted the Third Congress of Regional Banks in 2019.",
    "Tokayev Proposes Creating Eurasian Water Council",
    # a name the gazetteer knows
    "Kazakhstan proposed a Conference on Interaction and Confidence Building Measures in "
    "Asia in 1992.",
    "In 2017 Kazakhstan hosted the Astana International Forum for the first time.",
])
def test_generic_national_known_or_unrelated_names_are_not_candidates(
        reference, text: str) -> None:
    assert candidates(reference, text) == []


def test_spellings_of_one_body_share_a_key() -> None:
    assert name_key("the International Center for Water Diplomacy") == \
        name_key("International Centre for Water Diplomacy")
    assert name_key("Eurasian Organization of Steppe-Rivers") == \
        name_key("Eurasian Organisation of Steppe Rivers")


def test_candidates_keep_their_sentence_and_offsets(reference) -> None:
    gazetteer, themes = reference
    text = ("Ministers met in Astana on Monday. Kazakhstan proposed establishing a Regional Hub "
            "for Desert Research, officials said.")
    found = extract_article(text, PublicationDate(2024, 3, 12), gazetteer, themes)
    (candidate,) = found.candidates
    assert candidate.sentence_no == 2
    assert text[candidate.start:candidate.end] == "Regional Hub for Desert Research"
