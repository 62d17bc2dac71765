"""Membership figures: counts, kinds, years, and the numbers that are not membership."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.extract import extract_article, load_gazetteer, load_themes
from etl.model import PublicationDate as P

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"


@pytest.fixture(scope="module")
def reference():
    return load_gazetteer(REFERENCE_DIR), load_themes(REFERENCE_DIR)


DEFAULT_PUBLISHED = P(2023, 7, 16)


def figures(text: str, reference, published: P | None = DEFAULT_PUBLISHED) -> list[tuple]:
    found = extract_article(text, published, *reference)
    return [(m.initiative_id, m.kind, m.count, m.year, m.year_basis) for m in found.memberships]


def test_counts_kinds_and_years_in_one_sentence(reference) -> None:
    text = ("CICA headquartered in Astana, had witnessed six Summits so far. It has come a long "
            "way, with 16 member states participating at the first Summit in 2002 and today "
            "having 28 member states, five observer organisations and six partner organisations.")
    assert figures(text, reference) == [
        ("CICA", "member_states", 16, 2002, "explicit"),
        ("CICA", "member_states", 28, 2023, "relative_to_publication"),
        ("CICA", "observer_organisations", 5, 2023, "relative_to_publication"),
        ("CICA", "partner_organisations", 6, 2023, "relative_to_publication"),
    ]


def test_present_tense_without_a_year_is_the_publication_year(reference) -> None:
    assert figures("CICA has 28 Member States covering 90 per cent of Asia.", reference) == [
        ("CICA", "member_states", 28, 2023, "publication_year")]
    assert figures("“Today, CICA has 28 Member States.", reference) == [
        ("CICA", "member_states", 28, 2023, "relative_to_publication")]
    assert figures("CICA now has 28 member states, 9 observer states and 5 observer "
                   "organisations.", reference, P(2024, 3, 1)) == [
        ("CICA", "member_states", 28, 2024, "relative_to_publication"),
        ("CICA", "observer_states", 9, 2024, "relative_to_publication"),
        ("CICA", "observer_organisations", 5, 2024, "relative_to_publication"),
    ]


def test_without_a_publication_date_today_leaves_the_year_unknown(reference) -> None:
    text = ("With 16 member states at the first Summit in 2002 and today having 28 member states, "
            "CICA has grown.")
    assert figures(text, reference, None) == [
        ("CICA", "member_states", 16, 2002, "explicit"),
        ("CICA", "member_states", 28, None, "unresolved")]


def test_past_tense_without_a_year_has_no_year(reference) -> None:
    assert figures("CICA had 20 member states then.", reference) == [
        ("CICA", "member_states", 20, None, "unresolved")]


@pytest.mark.parametrize("text, expected", [
    ("In 2018 CICA included twenty-seven member countries.",
     ("CICA", "member_states", 27, 2018, "explicit")),
    ("The IOFS unites 37 member states.",
     ("IOFS", "member_states", 37, 2023, "publication_year")),
    ("In 2014, the 26 member states of CICA met in Shanghai.",
     ("CICA", "member_states", 26, 2014, "explicit")),
    ("Kuwait joined CICA as its 28th member state in October 2022.",
     ("CICA", "member_states", 28, 2022, "explicit")),
    ("Bahrain and Cambodia joined in 2011, bringing CICA's membership to 24.",
     ("CICA", "member_states", 24, 2011, "explicit")),
    ("CICA, whose membership grew to 27 states by 2018, is growing.",
     ("CICA", "member_states", 27, 2018, "explicit")),
    ("By 2020, 45 states had ratified the TPNW.",
     ("TPNW", "member_states_ratified", 45, 2020, "explicit")),
    ("CICA's 27 members met in 2019.", ("CICA", "member_states", 27, 2019, "explicit")),
    ("CICA has eight observer states.", ("CICA", "observer_states", 8, 2023, "publication_year")),
    ("The summit brought together 28 CICA member states in 2022.",
     ("CICA", "member_states", 28, 2022, "explicit")),
    ("In 2017 CICA had five international organisations as observers.",
     ("CICA", "observer_organisations", 5, 2017, "explicit")),
])
def test_varied_phrasings(text: str, expected: tuple, reference) -> None:
    assert figures(text, reference, P(2023)) == [expected]


@pytest.mark.parametrize("text", [
    # attendance and participation
    "The forum which gathered intellectuals from 25 countries was organised by CICA.",
    "The congress gathered delegations from 50 countries, said CICA.",
    "CICA's meeting was attended by 26 member countries and nine observers.",
    "Some 30 participating countries joined the CICA session.",
    # other things counted
    "All 16 strategic programmes of the IOFS were approved by the Member States.",
    "CICA had witnessed six Summits so far.",
    "Since 2016, five IOFS General Assemblies have been held.",
    "CICA spans 90 per cent of Asian territory and nearly half of humanity.",
    "The Assembly of the People of Kazakhstan elects nine members to the lower chamber.",
    "More than 100 ethnic groups and 18 confessions live alongside CICA's offices.",
    # approximations and negations
    "CICA has more than 25 member states.",
    "Although Kazakhstan isn't a CoE member, it cooperates with the Council of Europe.",
    "CICA does not have 30 member states.",
    # a look-alike's figure
    "The 193 member states of the United Nations back the IABS.",
    "The United Nations, which hosts the IABS talks, has 193 member states.",
    # no initiative at all
    "The Commonwealth of Independent States has nine member states.",
])
def test_not_membership(text: str, reference) -> None:
    assert figures(text, reference) == []


def test_count_text_and_sentence_are_kept(reference) -> None:
    gazetteer, themes = reference
    found = extract_article("Intro.\nCICA has twenty-eight Member States.", P(2023), gazetteer,
                            themes)
    (figure,) = found.memberships
    assert figure.count_text == "twenty-eight Member States"
    assert figure.sentence_no == 2 and figure.sentence == "CICA has twenty-eight Member States."


def test_identical_figures_are_kept_once(reference) -> None:
    text = "CICA has 28 member states. Today, CICA has 28 Member States."
    assert figures(text, reference) == [("CICA", "member_states", 28, 2023, "publication_year")]


# --- generalised phrasings (sentences of our own, not from the holdout) ---------------------------


@pytest.mark.parametrize("text, expected", [
    ("CICA currently comprises 27 countries from across Asia.",
     ("CICA", "member_states", 27, 2023, "relative_to_publication")),
    ("The IOFS now brings together 36 nations.",
     ("IOFS", "member_states", 36, 2023, "relative_to_publication")),
    ("The IOFS says its membership stands at 36 states.",
     ("IOFS", "member_states", 36, 2023, "publication_year")),
    ("CICA, whose secretariat is in Astana, now numbers 27 member states.",
     ("CICA", "member_states", 27, 2023, "relative_to_publication")),
    ("In 2019 CICA's membership grew from 26 states to 27.",
     ("CICA", "member_states", 26, 2019, "explicit")),
    ("Kuwait was admitted as the 28th member of CICA.",
     ("CICA", "member_states", 28, 2023, "publication_year")),
])
def test_more_membership_phrasings(text: str, expected: tuple, reference) -> None:
    assert figures(text, reference)[0] == expected


def test_membership_growth_from_and_to(reference) -> None:
    text = "CICA's membership has grown from 16 countries in 2002 to 28 in 2022."
    assert figures(text, reference) == [
        ("CICA", "member_states", 16, 2002, "explicit"),
        ("CICA", "member_states", 28, 2022, "explicit")]


def test_observer_status_counts_states_and_organisations(reference) -> None:
    text = ("CICA has 27 members, while eight states, among them Japan, and four international "
            "organisations have observer status.")
    assert figures(text, reference) == [
        ("CICA", "member_states", 27, 2023, "publication_year"),
        ("CICA", "observer_states", 8, 2023, "publication_year"),
        ("CICA", "observer_organisations", 4, 2023, "publication_year")]


def test_the_owner_of_observer_status_may_follow_it(reference) -> None:
    text = ("CICA met in Astana. Seven states and three organisations, including the United "
            "Nations, hold observer status in the grouping.")
    assert figures(text, reference) == [
        ("CICA", "observer_states", 7, 2023, "publication_year"),
        ("CICA", "observer_organisations", 3, 2023, "publication_year")]


def test_past_observer_status_has_no_year(reference) -> None:
    text = "Back then six states were granted observer status in CICA."
    assert figures(text, reference) == [("CICA", "observer_states", 6, None, "unresolved")]


def test_a_label_list_in_a_paragraph_about_an_initiative(reference) -> None:
    text = ("Intro.\n"
            "The IOFS: founded in 2013 in Astana. Membership: 36 states; observers: four "
            "states and two organisations.\n"
            "Membership: 12 states.")
    assert figures(text, reference) == [
        ("IOFS", "member_states", 36, 2023, "publication_year"),
        ("IOFS", "observer_states", 4, 2023, "publication_year"),
        ("IOFS", "observer_organisations", 2, 2023, "publication_year")]


def test_the_paragraph_topic_needs_the_paragraph_to_open_with_it(reference) -> None:
    text = "Kazakhstan founded many things, among them the IOFS. Membership: 36 states."
    assert figures(text, reference) == []
    text = "The IOFS was founded in 2013. CICA met. Membership: 36 states."
    assert figures(text, reference) == []


def test_a_having_verb_keeps_its_subject_before_of(reference) -> None:
    text = "Today the IOFS unites 36 member states of the OIC."
    assert figures(text, reference) == [
        ("IOFS", "member_states", 36, 2023, "relative_to_publication")]


@pytest.mark.parametrize("text", [
    "The CICA summit brought together delegations from 40 countries.",
    "The forum of CICA brought together 108 delegations from 50 countries.",
    "Turkmenistan, an observer state, attended the CICA meeting.",
    "Nearly 60 countries have observer status at the OIC, unlike at the IOFS.",
])
def test_more_not_membership(text: str, reference) -> None:
    assert figures(text, reference) == []


# --- wordings of size: before the organisation, ordinals, treaties, joined and level counts ----


@pytest.mark.parametrize("text, expected", [
    # the count before the organisation's name or a noun naming an organisation
    ("The 27-member Conference for Interaction and Confidence Building Measures in Asia met in "
     "Dushanbe in 2019.", ("CICA", "member_states", 27, 2019, "explicit")),
    ("Leaders of the 24 member CICA gathered in Shanghai in May 2014.",
     ("CICA", "member_states", 24, 2014, "explicit")),
    ("Kazakhstan has long championed CICA, now a 28-nation grouping.",
     ("CICA", "member_states", 28, 2023, "publication_year")),
    # ordinals that fix the size
    ("In 2020, Honduras became the 50th State Party to the TPNW.",
     ("TPNW", "member_states_ratified", 50, 2020, "explicit")),
    ("Vietnam officially became CICA's 21st full member in 2010.",
     ("CICA", "member_states", 21, 2010, "explicit")),
    # treaties: ratifications and signatures
    ("The TPNW has so far been ratified by only 12.",
     ("TPNW", "member_states_ratified", 12, 2023, "publication_year")),
    ("By 2018 the TPNW had been signed by 59 states.",
     ("TPNW", "signatory_states", 59, 2018, "explicit")),
    # cumulative joining
    ("So far 36 countries have joined the IOFS.",
     ("IOFS", "member_states", 36, 2023, "publication_year")),
    ("By 2021, 35 member states of the OIC had already joined the IOFS.",
     ("IOFS", "member_states", 35, 2021, "explicit")),
    # the number of members as a level
    ("Under Astana's chairmanship the number of CICA member states rose to 27 in 2018.",
     ("CICA", "member_states", 27, 2018, "explicit")),
    ("The number of its members reached 36 in 2022, the IOFS said.",
     ("IOFS", "member_states", 36, 2022, "explicit")),
    # an organisation noun with its count
    ("The IOFS is an organisation that includes 37 states.",
     ("IOFS", "member_states", 37, 2023, "publication_year")),
    ("Delegates praised CICA, which is a regional dialogue platform of 27 countries.",
     ("CICA", "member_states", 27, 2023, "publication_year")),
    # numbers in words; observers of both kinds in one count
    ("At its founding summit in 2002 CICA had sixteen member states.",
     ("CICA", "member_states", 16, 2002, "explicit")),
    ("CICA counts eight observer states and organisations.",
     ("CICA", "observer_states_and_organisations", 8, 2023, "publication_year")),
    # bare 'members' after a pronoun that has them
    ("Qatar was admitted to CICA in 2014 and it then had 26 permanent members.",
     ("CICA", "member_states", 26, 2014, "explicit")),
    # 'now' outranks a date of another clause
    ("The IOFS, which was set up in 2013, now comprises 37 member states.",
     ("IOFS", "member_states", 37, 2023, "relative_to_publication")),
])
def test_wordings_of_size(text: str, expected: tuple, reference) -> None:
    assert figures(text, reference) == [expected]


def test_a_count_at_the_founding_takes_the_founding_year(reference) -> None:
    text = ("The IOFS was established in 2013 in Astana. Originally, 17 countries made up its "
            "membership.")
    assert figures(text, reference, P(2021, 5, 2)) == [
        ("IOFS", "member_states", 17, 2013, "from_context")]


def test_a_past_count_takes_the_year_of_its_paragraph(reference) -> None:
    text = ("Thailand joined CICA on 12 June 2004. It had 17 member states then, all of them in "
            "Asia.")
    assert figures(text, reference) == [("CICA", "member_states", 17, 2004, "from_context")]


def test_a_count_before_a_meeting_takes_that_meeting_s_year(reference) -> None:
    text = ("The IOFS General Assembly met in Astana in September 2019.\n\n"
            "Ahead of the assembly, the list of IOFS member states held 32 names.\n"
            "Before the assembly, the IOFS had 32 member states.")
    assert figures(text, reference, P(2020, 1, 5)) == [
        ("IOFS", "member_states", 32, 2019, "from_context")]


def test_a_past_count_of_another_paragraph_stays_undated(reference) -> None:
    text = "CICA met in Baku on 8 May 2012.\n\nIt had 24 member states then."
    assert figures(text, reference) == [("CICA", "member_states", 24, None, "unresolved")]


def test_a_sentence_referring_back_takes_the_nearest_fitting_initiative(reference) -> None:
    text = ("The TPNW was adopted in 2017. Officials of the IOFS welcomed the news. "
            "Last month Kazakhstan became the 26th State Party to the Treaty.")
    assert figures(text, reference, P(2019, 9, 20)) == [
        ("TPNW", "member_states_ratified", 26, 2019, "relative_to_publication")]
    text = "CICA was set up in 1999. In 2002, there were 16 member states."
    assert figures(text, reference) == [("CICA", "member_states", 16, 2002, "explicit")]


def test_a_sentence_naming_nothing_and_referring_to_nothing_has_no_owner(reference) -> None:
    text = "CICA met in Astana in 2022.\nEurope's union has 27 member states."
    assert figures(text, reference) == []


@pytest.mark.parametrize("text", [
    # attendance, delegations, participants
    "More than 40 countries took part in the CICA summit in 2022.",
    "Delegations from 35 countries attended the IOFS General Assembly.",
    "A 15-member delegation of the IOFS visited Astana in March.",
    "The 40-nation conference convened by CICA closed in Almaty.",
    "The CICA summit, with 30 countries taking part, opened on Monday.",
    # thresholds of a treaty
    "The TPNW must be ratified by 50 states before it can enter into force.",
    "The TPNW needs to be ratified by 50 countries.",
    "The TPNW will take effect once 50 states have ratified it.",
    "Ratification by 50 countries is needed before the TPNW can take effect.",
    "The TPNW was ratified by 120 votes in the lower chamber.",
    # newcomers rather than the membership
    "CICA admitted two new member states in 2022.",
    "Five countries have joined the IOFS since 2020.",
    "CICA also gained two observer states - Belarus in 2015 and Laos in 2019.",
    # signatures of a document that is not a treaty initiative
    "At the CICA summit a declaration was signed by 20 states.",
])
def test_not_membership_either(text: str, reference) -> None:
    assert figures(text, reference) == []


def test_every_kind_written_is_documented_and_labelled() -> None:
    from dashboard.theme import MEMBERSHIP_KIND_LABELS
    from etl.extract import membership
    from etl.model import MEMBERSHIP_COUNTED_KINDS

    schema = (Path(__file__).resolve().parent.parent / "docs" / "schema.md").read_text()
    assert set(MEMBERSHIP_KIND_LABELS) == set(MEMBERSHIP_COUNTED_KINDS)
    for kind in MEMBERSHIP_COUNTED_KINDS:
        assert f"`{kind}`" in schema
    source = Path(membership.__file__).read_text()
    written = set(re.findall(r'"((?:member|observer|partner|signatory)_[a-z_]+)"', source))
    assert written <= set(MEMBERSHIP_COUNTED_KINDS)


@pytest.mark.parametrize("text", [
    "Turkmenistan is set to become the 29th member of CICA at the 2026 summit.",
    "Qatar will become CICA's 29th member state next year.",
    "Mongolia is expected to become the 38th member of the IOFS.",
])
def test_a_size_still_to_come_is_no_figure(text: str, reference) -> None:
    assert figures(text, reference) == []


@pytest.mark.parametrize("text", [
    "The 57 member states of the Organisation of Islamic Cooperation back the IOFS.",
    "The OIC, parent of the IOFS, has 57 member states.",
    "The OIC unites 57 states and the IOFS is its food agency.",
    "The OIC, which unites 57 states, backs the IOFS.",
    "The IOFS said the OIC brings together 57 countries.",
])
def test_a_parent_body_count_is_the_parent_s_not_its_agency_s(text: str, reference) -> None:
    assert [(f[0], f[2]) for f in figures(text, reference)] == [("OIC", 57)]
