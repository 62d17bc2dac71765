"""Cleaning article text: the five corpus files, and furniture from outlets not in the corpus.

The corpus checks are two-sided: every furniture line is gone (and listed in removed_lines),
and every other line of the file survives in the text.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.model import CleanText
from etl.normalize import clean_text, content_fingerprint
from etl.normalize.authors import parse_byline
from etl.normalize.dateline import parse_dateline
from etl.normalize.layout import unwrap_paragraphs
from etl.normalize.lines import has_more_words, is_furniture, word_count
from etl.settings import PROJECT_ROOT

CORPUS_DIR = PROJECT_ROOT / "data" / "articles"

H000 = (
    "International Body Spotlights Kazakhstan's Contribution to Democratic Governance and "
    "Global Security"
)
V000A = (
    "Kazakhstan's Significance inDemocracy and Worldwide Stability Recognized by Council of Europe"
)
V000B = (
    "Kazakhstan's Contribution to Democracy and Global Stability is Highlighted by the Council of "
    "Europe"
)
H001 = "Kazakhstan’s Unwavering Commitment In Promoting International Peace, Security"
H002 = (
    "Kazakhstan Hopes To Contribute To Global Peace And Security Through Astana International "
    "Forum – OpEd"
)
BIO002 = (
    "Pierre-Olivier Bussières is a lecturer at École nationale supérieure de chimie de "
    "Clermont-Ferrand and a research fellow at the Global Political Insight think tank."
)
BIO002_TYPO = BIO002.replace(
    "École nationale supérieure de chimie", "École Nationale Dupérieure de Chimie"
)
H003 = "Kazakhstan’s Global Stance: Bridging East and West in International Affairs"
TEASERS003 = [
    "AI Fighter Jets: Skynet or Strategic Supremacy?",
    "The recent milestone achieved by the US Air Force, with an AI-controlled F-16 fighter jet "
    "successfully completing a test flight, has ignited a firestorm...",
    "On the Prospects of a Third World War",
    "Frederick the Great remarks somewhere that diplomacy without force is like music without "
    "instruments. He forgot to add: when the music is off-key, one...",
    "Reevaluating Zionism: A Philosophical Perspective on the Modern State of Israel’s Prophetic "
    "and Historical Significance",
    "As we reflect on the turbulent historical path of Zionism and the establishment of the "
    "modern State of Israel, we encounter a spectrum of...",
]

# file -> exactly the lines cleaning must remove, in document order
EXPECTED_REMOVED: dict[str, list[str]] = {
    "000_02923b67c4375231.txt": [
        "Skip to content",
        H000,
        V000A,
        V000B,
        V000B,
        H000,
        "Read also:",
        "Latest",
    ],
    "001_392bb672fc95fe25.txt": [H001, H001, "By R. Ravichandran", "Related Articles"],
    "002_3b5bf3400bb8b1cf.txt": [
        H002,
        "By",
        BIO002,
        "Pierre-Olivier Bussières",
        BIO002_TYPO,
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
    ],
    "003_9636803f3d982e4f.txt": [
        H003,
        "[Image by jorono from Pixabay]",
        "Ernest Gallo is an academic and a visiting professor on international studies. The views "
        "and opinions expressed in this article are those of the author.",
        *TEASERS003,
    ],
    "004_a88e377181d9ef0c.txt": ["International news"],
}

# file -> (headline, byline, dateline place, month, day)
EXPECTED_FIELDS: dict[str, tuple[str | None, str | None, str | None, int | None, int | None]] = {
    "000_02923b67c4375231.txt": (H000, None, "Astanā", None, None),
    "001_392bb672fc95fe25.txt": (H001, "R. Ravichandran", "KUALA LUMPUR", 7, 16),
    "002_3b5bf3400bb8b1cf.txt": (H002, "Pierre-Olivier Bussières", None, None, None),
    "003_9636803f3d982e4f.txt": (H003, "Ernest Gallo", None, None, None),
    "004_a88e377181d9ef0c.txt": (None, None, None, None, None),
}

# file -> distinctive body sentences (whitespace-normalised) that must survive cleaning
BODY_SPOT_CHECKS: dict[str, list[str]] = {
    "000_02923b67c4375231.txt": [
        "Kazakhstan's Geopolitical Role in a Fragmented World",
        "Astanā - The ex-President of Switzerland and current Secretary General of the Council of "
        "Europe (CoE), Alain Berset,",
        "The CoE is working on a new Convention on Disinformation, which will welcome "
        "participation from countries worldwide.",
        "Encouraging Kazakhstan's Democratic Progress",
        "This marks the third phase of cooperation, dating back to 2014,",
        "1. Kazakhstan's strategic partnership with the Council of Europe",
        "in the face of growing disinformation threats.",
    ],
    "001_392bb672fc95fe25.txt": [
        "KUALA LUMPUR July 16 (NNN-Bernama) — The just concluded inaugural Central Asian Security",
        "The director of KazISS Yerkіn Tukumov said that the forum achieved its goals",
        "today having 28 member states, five observer organisations and six partner organisations.",
        "at the 75th session of the United Nations General Assembly in Sept 2020,",
        "Thus, it cannot be denied over the years all these forums and meetings have successfully",
    ],
    "002_3b5bf3400bb8b1cf.txt": [
        "Kazakhstan, the ninth largest country in the world at the heart of Eurasia, is holding "
        "the Astana International Forum this week",
        "Two decades earlier, in 1992, Kazakhstan proposed to establish the Conference on",
        "This Trans-Caspian International Transport Route is a critical new trade artery",
        "middle powers can have a significant influence on the direction we are heading.",
    ],
    "003_9636803f3d982e4f.txt": [
        "held in Bishkek, Kyrgyzstan, on October 13 provided him with a platform",
        "It initiated the Conference on Interaction and",
        "Building Measures in Asia in 1992,",
        "With around 80% of road traffic between these two continents passing through its "
        "territory,",
        "making it an essential voice in global affairs.",
    ],
    "004_a88e377181d9ef0c.txt": [
        "Twenty-nine years ago, the Republic of Kazakhstan became an independent country",
        "Kazakhstan became a member of the Group of States against Corruption (GRECO),",
        "Kazakhstan hosted the EXPO 2017 to promote the use of green technologies",
        "As President of Kazakhstan Kassym-Jomart Tokayev stated, there is no alternative to this "
        "policy and no turning back.",
    ],
}

CORPUS_FILES = sorted(EXPECTED_REMOVED)


def squash(text: str) -> str:
    """Whitespace-normalised text, independent of the code under test."""
    return " ".join(text.replace("\u00a0", " ").split())


def raw_lines(name: str) -> list[str]:
    text = (CORPUS_DIR / name).read_text(encoding="utf-8")
    return [squash(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def cleaned() -> dict[str, CleanText]:
    return {
        name: clean_text((CORPUS_DIR / name).read_text(encoding="utf-8")) for name in CORPUS_FILES
    }


# --- the corpus -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_removed_lines_are_exactly_the_furniture(
    cleaned: dict[str, CleanText], name: str
) -> None:
    assert [squash(line) for line in cleaned[name].removed_lines] == [
        squash(line) for line in EXPECTED_REMOVED[name]
    ]


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_no_furniture_line_survives(cleaned: dict[str, CleanText], name: str) -> None:
    text_lines = {squash(line) for line in cleaned[name].text.split("\n")}
    for furniture in EXPECTED_REMOVED[name]:
        assert squash(furniture) not in text_lines
    for fragment in (
        "Skip to content",
        "Read also",
        "Related Articles",
        "Leave a Reply",
        "Pixabay",
    ):
        assert fragment not in cleaned[name].text
    for fragment in (
        "Fighter Jets",
        "Third World War",
        "Zionism",
        "is a lecturer at",
        "Ernest Gallo",
    ):
        assert fragment not in cleaned[name].text


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_every_other_line_survives(cleaned: dict[str, CleanText], name: str) -> None:
    furniture = {squash(line) for line in EXPECTED_REMOVED[name]}
    text_lines = [squash(line) for line in cleaned[name].text.split("\n") if line.strip()]
    body = [line for line in raw_lines(name) if line not in furniture]
    assert text_lines == body


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_body_sentences_survive(cleaned: dict[str, CleanText], name: str) -> None:
    text = squash(cleaned[name].text)
    for sentence in BODY_SPOT_CHECKS[name]:
        assert squash(sentence) in text


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_keeps_at_least_90_percent_of_body_words(
    cleaned: dict[str, CleanText], name: str
) -> None:
    raw = (CORPUS_DIR / name).read_text(encoding="utf-8")
    furniture_words = sum(word_count(line) for line in EXPECTED_REMOVED[name])
    assert word_count(cleaned[name].text) >= 0.9 * (word_count(raw) - furniture_words)


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_headline_at_most_once_and_fields(cleaned: dict[str, CleanText], name: str) -> None:
    clean = cleaned[name]
    headline, byline, place, month, day = EXPECTED_FIELDS[name]
    assert (clean.headline, clean.byline) == (headline, byline)
    assert (clean.dateline_place, clean.dateline_month, clean.dateline_day) == (place, month, day)
    if clean.headline:
        assert squash(clean.text).count(squash(clean.headline)) <= 1


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_paragraphs_separated_by_one_blank_line(
    cleaned: dict[str, CleanText], name: str
) -> None:
    text = cleaned[name].text
    assert "\n\n\n" not in text and text == text.strip()
    assert "\u00a0" not in text and "  " not in text


def test_corpus_keeps_curly_and_straight_quotes_as_written(cleaned: dict[str, CleanText]) -> None:
    text = cleaned["000_02923b67c4375231.txt"].text
    assert "Council of Europe’s Neighborhood" in text and "Council of Europe's Neighborhood" in text


# --- whitespace --------------------------------------------------------------------------------


def test_whitespace_is_normalised_but_characters_are_kept() -> None:
    raw = (
        "First\u00a0paragraph  with\tspaces\u2009and “quotes” — dashes.\r\n"
        "Same paragraph, second line.\r\n\r\n\r\n\r\n"
        "Cafe\u0301 zero\u200bwidth.   \n"
    )
    clean = clean_text(raw)
    assert clean.text == (
        "First paragraph with spaces and “quotes” — dashes.\nSame paragraph, second line."
        "\n\nCafé zerowidth."
    )
    assert clean.removed_lines == []


def test_short_text_without_body_is_left_alone() -> None:
    assert clean_text("Kazakhstan proposes CICA").text == "Kazakhstan proposes CICA"
    assert clean_text("").text == ""


# --- furniture from other outlets ----------------------------------------------------------------

WIRE_LEAD = (
    "ALMATY, Kazakhstan, June 8 (Reuters) - Kazakhstan will host the sixth CICA summit in "
    "October, the foreign ministry said on Wednesday."
)
WIRE_STORY = f"""Skip to main content
Menu
World › Asia

Kazakhstan to host CICA summit in Astana

Kazakhstan to host CICA summit in Astana

By Jane Doe and John Roe, Reuters

Photo: Delegates arrive at the Palace of Independence. (Reuters/File)

{WIRE_LEAD}

Share this article

Advertisement

Latest figures show that 28 member states have confirmed attendance.

Share of trade between the members rose by a third, officials said.

By 2050, the organisation hopes to become a full-fledged regional body.

Home to 19 million people, Kazakhstan has hosted the forum's secretariat since 2006.

Photo exhibitions were held in the foyer during the preparatory meeting.

Subscribe to our newsletter

Follow us on Telegram

© 2024 Reuters. All rights reserved.
"""


def test_wire_story_furniture_is_removed_and_body_kept() -> None:
    clean = clean_text(WIRE_STORY)
    assert clean.headline == "Kazakhstan to host CICA summit in Astana"
    assert clean.byline == "Jane Doe and John Roe, Reuters"
    assert (clean.dateline_place, clean.dateline_month, clean.dateline_day) == (
        "ALMATY, Kazakhstan",
        6,
        8,
    )
    assert clean.text.split("\n\n") == [
        WIRE_LEAD,
        "Latest figures show that 28 member states have confirmed attendance.",
        "Share of trade between the members rose by a third, officials said.",
        "By 2050, the organisation hopes to become a full-fledged regional body.",
        "Home to 19 million people, Kazakhstan has hosted the forum's secretariat since 2006.",
        "Photo exhibitions were held in the foyer during the preparatory meeting.",
    ]
    assert "Photo: Delegates arrive at the Palace of Independence. (Reuters/File)" in (
        clean.removed_lines
    )
    assert len(clean.removed_lines) == 12


ASTANA_TIMES_STYLE = """Nation

Kazakhstan Assumes CICA Chairmanship

By Aidana Yergaliyeva in Nation on 24 September 2020

NUR-SULTAN – Kazakhstan assumed the chairmanship of CICA on Sept. 24, taking over from Tajikistan.

Share this:
Twitter Facebook LinkedIn
Like this:
Loading...

Related
"""

MAGAZINE_STYLE = """The Diplomat
Central Asia

Why Kazakhstan Wants a Biosafety Agency

Tokayev’s plan for an International Agency for Biological Safety merits attention.

By John Smith
June 8, 2023

Tokayev first floated the idea at the UN General Assembly in September 2020.

John Smith is a freelance journalist covering Central Asia.
"""

BLOG_STYLE = """Home » Central Asia

Kazakhstan’s Middle Corridor Ambitions

Kazakhstan’s Middle Corridor Ambitions

Published on: June 8, 2023 | 5 min read

The Trans-Caspian International Transport Route links China and Europe through Kazakhstan.

Traffic on the route tripled in 2022, according to the railway company.

Related Posts

Uzbekistan and the Gulf

A new era in Central Asia...

Tags: Kazakhstan, Middle Corridor

Previous article
Next article

Comments are closed.
"""


@pytest.mark.parametrize(
    ("raw", "headline", "byline", "body"),
    [
        (
            ASTANA_TIMES_STYLE,
            "Kazakhstan Assumes CICA Chairmanship",
            "Aidana Yergaliyeva",
            [
                "NUR-SULTAN – Kazakhstan assumed the chairmanship of CICA on Sept. 24, taking over "
                "from Tajikistan."
            ],
        ),
        (
            MAGAZINE_STYLE,
            "Why Kazakhstan Wants a Biosafety Agency",
            "John Smith",
            [
                "Tokayev’s plan for an International Agency for Biological Safety merits "
                "attention.",
                "Tokayev first floated the idea at the UN General Assembly in September 2020.",
            ],
        ),
        (
            BLOG_STYLE,
            "Kazakhstan’s Middle Corridor Ambitions",
            None,
            [
                "The Trans-Caspian International Transport Route links China and Europe through "
                "Kazakhstan.",
                "Traffic on the route tripled in 2022, according to the railway company.",
            ],
        ),
    ],
)
def test_other_outlet_layouts(raw: str, headline: str, byline: str | None, body: list[str]) -> None:
    clean = clean_text(raw)
    assert (clean.headline, clean.byline) == (headline, byline)
    assert clean.text.split("\n\n") == body
    kept = {line for paragraph in body for line in paragraph.split("\n")}
    raw_lines = [line.strip() for line in raw.splitlines() if line.strip()]
    assert sorted(clean.removed_lines) == sorted(line for line in raw_lines if line not in kept)


@pytest.mark.parametrize(
    "line",
    [
        "Skip to content",
        "Read also:",
        "Read more: Kazakhstan and China sign visa deal",
        "Latest",
        "Related Articles",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "Share this",
        "Share on Facebook",
        "Subscribe",
        "ADVERTISEMENT",
        "— Advertisement —",
        "[Image by jorono from Pixabay]",
        "Photo: Akorda press service",
        "Photo by Ivan Petrov / Kazinform",
        "Image credit: Shutterstock",
        "Tags: Kazakhstan, CICA, diplomacy",
        "© 2023 The Astana Times",
        "The views expressed in this article are those of the author.",
        "By",
        "June 8, 2023",
        "Published: 16 July 2023 10:00",
        "5 min read",
        "Facebook Twitter LinkedIn WhatsApp",
        "Comments are closed.",
        "Reporting by Jane Doe; Editing by John Roe",
        "Kazakh President Kassym-Jomart Tokayev. Photo credit: Akorda",
    ],
)
def test_furniture_lines(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Latest figures show that 28 member states have confirmed attendance.",
        "Related talks were held in Geneva in April 2022.",
        "Share of SMEs in GDP will reach 35% by 2025.",
        "Subscribers to the convention met in Vienna.",
        "Photos of the summit were published by the ministry.",
        "Copyright law was also amended in 2021.",
        "Home to 19 million people, Kazakhstan is the ninth largest country.",
        "More than 100 ethnic groups have been living in Kazakhstan.",
        "By initiating these initiatives and pushing forward cooperation,",
        "Read the full statement on the ministry's website.",
    ],
)
def test_prose_is_not_furniture(line: str) -> None:
    assert not is_furniture(line)


def test_section_label_is_not_a_headline() -> None:
    clean = clean_text(
        "International news\n\nKazakhstan became a member of GRECO, established by the "
        "Council of Europe, to promote high anti-corruption standards."
    )
    assert clean.headline is None
    assert clean.removed_lines == ["International news"]


def test_breadcrumb_and_label_above_headline() -> None:
    clean = clean_text(
        "Home / Opinion\n\nOp-Ed\n\nWhy Astana matters\n\n"
        "Kazakhstan has hosted the Astana Process talks on Syria since January 2017."
    )
    assert clean.headline == "Why Astana matters"
    assert clean.removed_lines == ["Home / Opinion", "Op-Ed", "Why Astana matters"]
    assert clean.text.startswith("Kazakhstan has hosted")


def test_first_section_heading_is_kept_when_not_a_headline_variant() -> None:
    clean = clean_text(
        "CICA turns thirty\n\nCICA turns thirty\n\nThirty years of CICA confidence building\n\n"
        "A forum born at the UN\n\n"
        "Kazakhstan proposed a Conference on Interaction and Confidence Building Measures in "
        "Asia in 1992."
    )
    assert clean.headline == "CICA turns thirty"
    assert clean.text.startswith("A forum born at the UN\n\nKazakhstan proposed")
    assert clean.removed_lines == [
        "CICA turns thirty",
        "CICA turns thirty",
        "Thirty years of CICA confidence building",
    ]


def test_related_list_and_teasers_at_the_end_are_removed() -> None:
    body = "Kazakhstan proposed the IABS at the UN General Assembly in September 2020."
    clean = clean_text(
        f"{body}\n\nIt would report to the Security Council.\n\nRelated Articles\n\n"
        "Uzbekistan opens new railway\n\nTurkmenistan gas deal signed\n\n"
        "Mongolia elects new parliament\n\nVoters went to the polls on Sunday in a vote that…"
    )
    assert clean.text == f"{body}\n\nIt would report to the Security Council."
    assert clean.removed_lines[0] == "Related Articles" and len(clean.removed_lines) == 5


def test_paragraph_ending_in_ellipsis_inside_the_body_is_kept() -> None:
    text = (
        "Tokayev said: “We will continue our work, and we will…”\n\n"
        "The summit then adopted the Astana Declaration on the transformation of CICA."
    )
    assert clean_text(text).text == text


def test_last_sentence_about_a_person_is_not_a_bio() -> None:
    text = (
        "The forum closed with a speech by its secretary general.\n\n"
        "Kairat Sarybay is the Secretary General of CICA."
    )
    clean = clean_text(text)
    assert clean.text == text and clean.byline is None


def test_bio_with_lone_name_line_and_disclaimer() -> None:
    clean = clean_text(
        "Middle powers can shape the agenda, and Kazakhstan intends to be one of them.\n\n"
        "Aigerim Seitkali\n\n"
        "Aigerim Seitkali is a research fellow at the Eurasian Research Institute.\n\n"
        "The opinions expressed in this piece do not necessarily reflect those of the editors."
    )
    assert clean.byline == "Aigerim Seitkali"
    assert clean.text == (
        "Middle powers can shape the agenda, and Kazakhstan intends to be one of them."
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By R. Ravichandran", "R. Ravichandran"),
        ("By Pierre-Olivier Bussières", "Pierre-Olivier Bussières"),
        ("Written by Jane van der Berg", "Jane van der Berg"),
        ("By 2050, water shortages will affect five billion people.", None),
        ("By initiating these initiatives", None),
        ("By", None),
        ("By Land and sea", None),
    ],
)
def test_parse_byline(line: str, expected: str | None) -> None:
    assert parse_byline(line) == expected


def test_loose_byline_keeps_only_the_names() -> None:
    line = "By Aidana Yergaliyeva in Nation on 24 September 2020"
    assert parse_byline(line) is None
    assert parse_byline(line, strict=False) == "Aidana Yergaliyeva"
    assert parse_byline("By initiating these initiatives", strict=False) is None


# --- dateline --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("KUALA LUMPUR July 16 (NNN-Bernama) — The just concluded forum", ("KUALA LUMPUR", 7, 16)),
        ("Astanā - The ex-President of Switzerland spoke.", ("Astanā", None, None)),
        ("ASTANA (Kazinform) – The Senate ratified the treaty.", ("ASTANA", None, None)),
        ("ALMATY, Sept. 3, 2020 — Officials said", ("ALMATY", 9, 3)),
        ("Astana, 16 July 2023 — The forum opened.", ("Astana", 7, 16)),
        ("ASTANA. KAZINFORM - The Senate ratified the agreement.", ("ASTANA", None, None)),
        ("NUR-SULTAN – Kazakhstan assumed the chairmanship.", ("NUR-SULTAN", None, None)),
        ("Kazakhstan – a landlocked nation – hosts the forum.", None),
        ("Twenty-nine years ago, the Republic of Kazakhstan became independent.", None),
        ("Midnight represents a point of no return – the end of civilization.", None),
        ("The forum - held in Astana - was a success.", None),
    ],
)
def test_parse_dateline(
    paragraph: str, expected: tuple[str, int | None, int | None] | None
) -> None:
    dateline = parse_dateline(paragraph)
    found = None if dateline is None else (dateline.place, dateline.month, dateline.day)
    assert found == expected


# --- word count and fingerprint ---------------------------------------------------------------


def test_word_count_keeps_apostrophes_and_hyphens_inside_words() -> None:
    assert word_count("Kazakhstan’s multi-vector policy: 28 states, don't — 2024-2027!") == 7
    assert word_count("") == 0


def test_fingerprint_ignores_case_and_whitespace() -> None:
    first = content_fingerprint("Kazakhstan proposed CICA.\n\nIn 1992.")
    assert first == content_fingerprint("  kazakhstan   PROPOSED cica. in 1992. ")
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert first != content_fingerprint("Kazakhstan proposed CICA in 1993.")


# --- hard-wrapped paragraphs ------------------------------------------------------------------

WRAPPED_BULLETIN = """DIPLOMATIC NOTES
No. 14 | 2 March 2024

Quiet progress on the biosafety agency

Kazakhstan's diplomats spent the week in Geneva trying to find partners
for the International Agency for Biological Safety, the idea President
Tokayev floated at the United Nations in 2020. Officials describe the
talks as constructive but early, and no draft statute is on the table
yet. A well-placed source called the effort a long-term, multi-
stakeholder project.

Coming up:
- The foreign ministers of Central Asia meet in Ashgabat on 15 March to
  discuss water, energy and transport.
- A CICA working group gathers in Baku later in the month.

Thanks for reading, and see you next week.
"""


def test_hard_wrapped_paragraphs_are_joined_into_one_line() -> None:
    clean = clean_text(WRAPPED_BULLETIN)
    paragraphs = clean.text.split("\n\n")
    assert clean.headline == "Quiet progress on the biosafety agency"
    assert paragraphs[0] == (
        "Kazakhstan's diplomats spent the week in Geneva trying to find partners for the "
        "International Agency for Biological Safety, the idea President Tokayev floated at the "
        "United Nations in 2020. Officials describe the talks as constructive but early, and no "
        "draft statute is on the table yet. A well-placed source called the effort a long-term, "
        "multi-stakeholder project."
    )


def test_list_items_keep_their_lines_and_join_their_continuations() -> None:
    clean = clean_text(WRAPPED_BULLETIN)
    assert "Coming up:\n- The foreign ministers of Central Asia meet in Ashgabat on 15 March to " \
        "discuss water, energy and transport.\n- A CICA working group gathers in Baku later in " \
        "the month." in clean.text


def test_header_lines_of_a_wrapped_text_are_not_joined() -> None:
    clean = clean_text(WRAPPED_BULLETIN)
    assert "DIPLOMATIC NOTES" not in clean.text
    assert "No. 14 | 2 March 2024" in clean.removed_lines


def test_web_text_with_one_paragraph_per_line_is_not_unwrapped() -> None:
    raw = (
        "Kazakhstan hosts the forum\n"
        "The Astana International Forum opened on Thursday with more than a thousand guests "
        "from around the world and a keynote address by the President.\n"
        "Speakers discussed security, climate and trade in a dozen panels over two days, and "
        "the organisers promised to publish the conclusions next month.\n"
    )
    clean = clean_text(raw)
    assert clean.text.count("\n") == 1


def test_short_stacked_lines_are_not_taken_for_wrapped_prose() -> None:
    raw = (
        "Menu\nHome\nWorld\nPolitics\n\n"
        "Tokayev meets Guterres on the sidelines\n"
        "The UN Secretary-General praised Kazakhstan's role in mediation and...\n"
        "Kazakhstan and the EU discuss the Middle Corridor\n"
        "Officials from both sides agreed to speed up the work on transport...\n"
    )
    lines = raw.split("\n")
    assert unwrap_paragraphs(lines, [len(line) for line in lines]) == lines


@pytest.mark.parametrize("line", ["Issue 87 -- 23 June 2023", "Vol. 3, No. 12 | June 2023",
                                  "Issue #12"])
def test_issue_lines_are_furniture(line: str) -> None:
    assert is_furniture(line)


def test_a_sentence_about_an_issue_is_not_furniture() -> None:
    assert not is_furniture("Issue 87 of the bulletin covers the summit in depth.")


RAGGED_COPY = """The Collective Security Treaty Organization is a military alliance of
post-Soviet states. Its charter, agreed by six
governments in Chisinau in October 2002, turned a loose treaty into a
standing body with a secretariat in Moscow. Members pledge to
defend one another and hold joint drills, most years in the
autumn, under a rotating command.
"""


def test_text_broken_at_uneven_widths_is_joined_into_sentences() -> None:
    lines = RAGGED_COPY.split("\n")
    joined = unwrap_paragraphs(lines, [len(line) for line in lines])
    assert joined[0].startswith("The Collective Security Treaty Organization is a military")
    assert "Its charter, agreed by six governments in Chisinau in October 2002, turned" in joined[0]
    assert "Members pledge to defend one another" in joined[0]
    assert joined[0].endswith("under a rotating command.")


@given(st.text(alphabet=st.sampled_from(list("ab c-'’_.1é \n"))), st.integers(0, 12))
def test_has_more_words_agrees_with_word_count(text: str, limit: int) -> None:
    assert has_more_words(text, limit) == (word_count(text) > limit)
