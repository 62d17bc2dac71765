"""Date expressions: shapes, relative resolution against the publication date, roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.extract import infer_publication_date, load_gazetteer, refine_publication_date
from etl.extract.dates import find_dates
from etl.extract.mentions import find_mentions
from etl.extract.sentences import SentenceIndex, split_sentences
from etl.extract.text import fold
from etl.model import DateMention
from etl.model import PublicationDate as P

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(REFERENCE_DIR)


def dates(text: str, published: P | None = None, gazetteer=None) -> list[DateMention]:
    folded = fold(text)
    sentences = split_sentences(text)
    index = SentenceIndex(sentences)
    spans = []
    if gazetteer is not None:
        spans = [(m.start, m.end, m.is_initiative)
                 for m in find_mentions(folded, sentences, index, gazetteer)
                 if m.method != "coreference"]
    return find_dates(text, folded, sentences, index, published, spans)


def one(text: str, published: P | None = None, gazetteer=None) -> DateMention:
    found = dates(text, published, gazetteer)
    assert len(found) == 1, found
    return found[0]


def ymd(d: DateMention) -> tuple[int | None, int | None, int | None]:
    return d.year, d.month, d.day


@pytest.mark.parametrize("text, expected", [
    ("It was signed on 14 September 1999 in Almaty.", (1999, 9, 14)),
    ("It was signed on September 14, 1999 in Almaty.", (1999, 9, 14)),
    ("It was signed on 1999-09-14 in Almaty.", (1999, 9, 14)),
    ("It was signed on the 14th of September 1999.", (1999, 9, 14)),
    ("It was signed on Sept. 14, 1999.", (1999, 9, 14)),
    ("It was proposed in October 1992 at the UN.", (1992, 10, None)),
    ("The announcement was made on June 2011 in Astana.", (2011, 6, None)),
    ("It was proposed in Sept\u00a02020 at the UN.", (2020, 9, None)),
    ("It was proposed in Sept. 2020 at the UN.", (2020, 9, None)),
    ("It happened in 2013 in Almaty.", (2013, None, None)),
])
def test_explicit_dates(text: str, expected: tuple) -> None:
    found = one(text)
    assert ymd(found) == expected
    assert found.basis == "explicit" and found.role == "event"
    assert text[found.start:found.end] == found.expression


def test_the_preposition_is_part_of_the_expression() -> None:
    assert one("It was first proposed back in 1992.").expression == "back in 1992"
    assert one("Since 2016, it has grown.").expression == "Since 2016"


def test_an_ordinal_session_is_neither_a_year_nor_a_count() -> None:
    found = one("It was discussed at the 61st UN General Assembly session "
                "in September 2006.")
    assert ymd(found) == (2006, 9, None)


@pytest.mark.parametrize("text, published, expected", [
    ("He spoke at the forum on June 8.", P(2023, 7, 16), (2023, 6, 8)),
    ("He spoke at the forum on June 28.", P(2023, 6, 8), (2022, 6, 28)),  # not yet in 2023
    ("He gave a lecture on May 29.", P(2025, 6), (2025, 5, 29)),
    ("He gave a lecture on 29 May.", P(2025), (2025, 5, 29)),
    ("The idea was voiced at the UN General Assembly in September.", P(2023, 10), (2023, 9, None)),
    ("It opened last September.", P(2023, 10, 2), (2023, 9, None)),
    ("It opened last September.", P(2023, 9, 2), (2022, 9, None)),
])
def test_day_or_month_without_a_year_takes_it_from_the_publication_date(
        text: str, published: P, expected: tuple) -> None:
    found = one(text, published)
    assert ymd(found) == expected
    assert found.basis == "relative_to_publication"


def test_day_without_year_and_without_publication_date_is_unresolved() -> None:
    found = one("He spoke at the forum on June 8.")
    assert found.year is None and found.role == "unresolved"


@pytest.mark.parametrize("text, expected", [
    ("The Neighbourhood Cooperation Priorities for Kazakhstan (2024-2027) matter.", (2024, 2027)),
    ("The programme runs 2024\u20132027 across the region.", (2024, 2027)),
    ("It was a member from 2017 to 2018, the first from Central Asia.", (2017, 2018)),
    ("It was a member between 2017 and 2018.", (2017, 2018)),
    ("It served in 2017/18 as a member.", (2017, 2018)),
    ("The 2017-18 term was historic.", (2017, 2018)),
])
def test_year_ranges(text: str, expected: tuple) -> None:
    found = one(text)
    assert (found.year, found.end_year) == expected
    assert found.basis == "range"


def test_day_ranges() -> None:
    found = one("The forum took place on 8-9 June 2023 in Astana.")
    assert ymd(found) == (2023, 6, 8) and (found.end_month, found.end_day) == (6, 9)
    found = one("The summit took place on October 12\u201313, 2022.")
    assert ymd(found) == (2022, 10, 12) and found.end_day == 13


@pytest.mark.parametrize("text, year", [
    ("The congress held every three years since 2003 in Kazakhstan.", 2003),
    ("The Astana International Forum held since 2008 is a platform.", 2008),
    ("Since 2016, five IOFS General Assemblies have been held.", 2016),
    ("The forum has been held annually since 2008.", 2008),
])
def test_recurrences(text: str, year: int) -> None:
    found = one(text)
    assert found.year == year and found.basis == "recurrence" and found.role == "event"


def test_since_without_recurrence_is_explicit() -> None:
    found = one("Cooperation has grown since 2014.")
    assert found.year == 2014 and found.basis == "explicit"


def test_years_embedded_in_names(gazetteer) -> None:
    expo = one("Kazakhstan hosted the EXPO 2017 to promote green energy.", gazetteer=gazetteer)
    assert (expo.year, expo.basis, expo.role) == (2017, "from_name", "event")
    expo = one("The EXPO-2017 exhibition attracted visitors.", gazetteer=gazetteer)
    assert (expo.year, expo.basis) == (2017, "from_name")
    summit = one("The 2010 Summit of the OSCE was convened in Kazakhstan.", gazetteer=gazetteer)
    assert (summit.year, summit.basis, summit.role) == (2010, "from_name", "event")
    found = dates("Documents such as the 1999 Declaration on the Principles and the 2002 "
                  "Almaty Act matter.", gazetteer=gazetteer)
    assert [(d.year, d.basis, d.role) for d in found] == [(1999, "from_name", "event"),
                                                          (2002, "from_name", "event")]


def test_a_year_naming_a_look_alike_is_background(gazetteer) -> None:
    found = one("The agency would be based on the 1972 Biological Weapons Convention.",
                gazetteer=gazetteer)
    assert (found.year, found.basis, found.role) == (1972, "from_name", "background")


@pytest.mark.parametrize("text, published, expected, basis", [
    ("Kazakhstan is holding the Astana International Forum this week.", P(2023, 6, 8),
     (2023, 6, None), "relative_to_publication"),
    ("The forum opens today.", P(2023, 6, 8), (2023, 6, 8), "relative_to_publication"),
    ("It rose this year.", P(2020, 12), (2020, None, None), "relative_to_publication"),
    ("Earlier this year Kazakhstan assumed its chairmanship.", P(2020, 12),
     (2020, None, None), "relative_to_publication"),
    ("It was founded last year.", P(2020, 12), (2019, None, None), "relative_to_publication"),
    ("It will meet next year.", P(2020, 12), (2021, None, None), "relative_to_publication"),
    ("It opened yesterday.", P(2024, 7, 1), (2024, 6, 30), "relative_to_publication"),
    ("Twenty-nine years ago, it happened.", P(2020, 12), (1991, None, None),
     "relative_to_publication"),
    ("A decade ago, it happened.", P(2020), (2010, None, None), "relative_to_publication"),
])
def test_relative_dates(text: str, published: P, expected: tuple, basis: str) -> None:
    found = one(text, published)
    assert ymd(found) == expected
    assert found.basis == basis


def test_weekdays_before_a_day_precise_publication_date() -> None:
    # 16 July 2023 was a Sunday: 'on Thursday and Friday' = 13-14 July
    found = one("The two-day forum on Thursday and Friday was themed on Asia.", P(2023, 7, 16))
    assert ymd(found) == (2023, 7, 13) and (found.end_month, found.end_day) == (7, 14)
    # a weekday is the latest one on or before the publication day: a report filed on a
    # Thursday that says 'on Thursday' tells of that day ('last Thursday' is the week before)
    found = one("They met on Thursday.", P(2023, 7, 13))  # a Thursday
    assert ymd(found) == (2023, 7, 13)
    found = one("They met last Thursday.", P(2023, 7, 13))
    assert ymd(found) == (2023, 7, 6)
    found = one("They met last Monday.", P(2023, 7, 16))
    assert ymd(found) == (2023, 7, 10)


def test_weekday_with_a_month_precise_publication_date_keeps_year_and_month() -> None:
    found = one("They met on Thursday.", P(2023, 7))
    assert ymd(found) == (2023, 7, None)


def test_relative_dates_without_a_publication_date_are_unresolved() -> None:
    for text in ("It opened this week.", "They met on Thursday.", "Two years ago it began."):
        found = one(text)
        assert found.year is None and found.role == "unresolved", text


def test_years_counted_from_context() -> None:
    found = dates("The treaty was signed in 2015. Two years later, it entered into force.")
    assert [(d.year, d.basis) for d in found] == [(2015, "explicit"), (2017, "year_from_context")]
    found = dates("It was founded in 2009. The following year it held a summit.")
    assert found[1].year == 2010
    assert one("A decade later, the forum was renamed.").role == "unresolved"


def test_a_relative_phrase_followed_by_an_explicit_year_yields_only_the_year() -> None:
    found = one("Two decades earlier, in 1992, Kazakhstan proposed CICA.")
    assert (found.expression, found.year) == ("in 1992", 1992)


@pytest.mark.parametrize("text, role", [
    ("Water shortages may affect five billion people by 2050.", "target"),
    ("The SME share will reach 35% by 2025.", "target"),
    ("Looking ahead to the year 2035, he urged students to plan.", "target"),
    ("The goal is to double trade until 2030.", "target"),
    ("The Strategy 2050 sets the goals.", "target"),
    ("Kazakhstan's Concept of Foreign Policy (2020-2030) says so.", "plan_period"),
    ("The Foreign Policy Concept for 2020-2030 says so.", "plan_period"),
    ("It cannot be denied that after independence in 1991, it emerged.", "background"),
    ("It gained independence when the USSR broke apart in 1991.", "background"),
    ("Its population in 2020 reached 19 million.", "background"),
])
def test_roles(text: str, role: str) -> None:
    found = dates(text, P(2020, 12))
    assert [d.role for d in found] == [role], found


def test_a_past_by_year_is_a_state_not_a_target() -> None:
    assert one("Membership grew to 27 states by 2018.", P(2020)).role == "background"


def test_independence_next_to_a_later_event_does_not_make_it_background() -> None:
    found = dates("Kazakhstan became independent in 1991 and proposed CICA in 1992.")
    assert [(d.year, d.role) for d in found] == [(1991, "background"), (1992, "event")]


def test_range_in_a_gazetteer_title_is_an_event(gazetteer) -> None:
    found = one("The Council of Europe's Neighborhood Cooperation Priorities for Kazakhstan "
                "(2024-2027) underscore the partnership.", gazetteer=gazetteer)
    assert found.role == "event" and found.expression == "(2024-2027)"


def test_dateline_is_background() -> None:
    found = one("KUALA LUMPUR July 16 (NNN-Bernama) \u2014 The forum ended.", P(2023, 7, 16))
    assert ymd(found) == (2023, 7, 16) and found.role == "background"


@pytest.mark.parametrize("text", [
    "Technology changed the world in the past 20 years.",
    "It has grown over a decade.",
    "For the past several years it has hosted talks.",
    "It set a record of 2500 participants.",
    "The road is 2019 km long.",
    "Resolution 2231 endorsed the deal.",
    "He may attend.",
    "Some 19.8 million people live there.",
])
def test_not_dates(text: str) -> None:
    assert dates(text, P(2020)) == []


def test_every_expression_is_the_text_at_its_offsets() -> None:
    text = ("On 5 October 1992 it was proposed; since 2003 the congress meets every three years "
            "since 2003, and on Thursday and Friday (2024\u20132027) it met.")
    for d in dates(text, P(2023, 7, 16)):
        assert text[d.start:d.end] == d.expression


@pytest.mark.parametrize("text, expected", [
    ("Thirty years ago, the young republic gained its independence as the USSR broke apart "
     "in 1991.", P(2021)),
    ("Published: 8 June 2023\n\nThe forum opened.", P(2023, 6, 8)),
    ("Posted on June 8, 2023\n\nThe forum opened.", P(2023, 6, 8)),
    ("ASTANA, June 8, 2023 \u2014 The forum opened.", P(2023, 6, 8)),
    ("This year marks the 30th anniversary of the proposal made in 1992.", P(2022)),
    ("The forum opened this week with many guests.", None),
    ("The congress held every three years since 2003 has met seven times.", None),
])
def test_infer_publication_date(text: str, expected: P | None) -> None:
    assert infer_publication_date(text) == expected


# --- ranges across months, prepositional 'before', happenings ----------------------------------


@pytest.mark.parametrize("text", [
    "The fair ran from 3 May to 7 October 2025 in the capital.",
    "The fair ran from May 3 to October 7, 2025 in the capital.",
])
def test_a_day_range_across_months_takes_the_year_written_at_its_end(text: str) -> None:
    d = one(text, P(2026, 1, 1))
    assert (d.year, d.month, d.day, d.end_year, d.end_month, d.end_day) == (
        2025, 5, 3, 2025, 10, 7)
    assert d.basis == "range"


def test_years_before_a_noun_phrase_are_no_date() -> None:
    # 'before the summit' measures between two events; 'three years later' is a date
    assert dates("In 2001 they met. It took three years before the first summit opened.") \
        [1:] == []
    found = dates("In 2001 they met. Three years later the first summit opened.")
    assert [d.year for d in found] == [2001, 2004]


@pytest.mark.parametrize("text", [
    "The talks resumed after the bombings of 7 July 2005 in London.",
    "Trade slumped after the crisis of 2008.",
    "Tashkent was rebuilt after the earthquake of 1966.",
])
def test_a_date_naming_another_happening_is_background(text: str) -> None:
    assert {d.role for d in dates(text, P(2025))} == {"background"}


def test_an_event_of_a_date_is_not_a_happening() -> None:
    assert one("The summit of 2010 adopted a declaration.").role == "event"


# --- publication date: datelines, header lines, the address ------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Almaty, 3 April 2024 \u2013 The ministers met.", P(2024, 4, 3)),
    ("BAKU, Azerbaijan, Jan. 5, 2024 (Trend) \u2013 The talks ended.", P(2024, 1, 5)),
    ("Last updated: 12 May 2021\n\nThe forum opened.", P(2021, 5, 12)),
    ("On 5 October 1992 \u2013 an important day \u2013 CICA was proposed.", None),
    ("In 1992: the proposal.", None),
])
def test_infer_publication_date_from_more_datelines(text: str, expected: P | None) -> None:
    assert infer_publication_date(text) == expected


def test_header_lines_give_the_date_the_cleaning_removed() -> None:
    header = ["World", "By Jane Doe in Nation on 4 May 2022", "5 min read"]
    assert infer_publication_date("The forum opened.", header_lines=header) == P(2022, 5, 4)
    # a long line that merely contains a date is prose, not a page stamp
    long_line = ["The summit that was held on 4 May 2022 in Astana drew many leaders from "
                 "all over Asia and beyond the region, officials said."]
    assert infer_publication_date("The forum opened.", header_lines=long_line) is None


@pytest.mark.parametrize("url, expected", [
    ("https://example.kz/2022/11/30/summit-ends/", P(2022, 11, 30)),
    ("https://example.kz/en/2021/04/forum-opens/", P(2021, 4)),
    ("https://news.example.cn/20210418/abc123/c.html", P(2021, 4, 18)),
    ("https://www.example.com/18042021-forum-opens-oped/", P(2021, 4, 18)),
    ("https://example.org/news/2019-06-14-cica-summit", P(2019, 6, 14)),
    ("https://example.kz/news/details/4213377", None),
    ("https://example.kz/p/12345678-story", None),
])
def test_publication_date_from_the_address(url: str, expected: P | None) -> None:
    assert infer_publication_date("The forum opened.", url=url) == expected


def test_a_dateline_day_refines_a_month_from_the_address() -> None:
    text = "ALMATY, April 18 (Xinhua) -- The forum opened."
    assert infer_publication_date(text, url="https://example.kz/2021/04/forum/") == P(2021, 4, 18)
    # a dateline of another month says nothing about the day
    assert infer_publication_date(text, url="https://example.kz/2021/05/forum/") == P(2021, 5)


# --- year-less dates: the tense of the clause, lists, sentence context -------------------------


@pytest.mark.parametrize("text, published, expected", [
    # the future looks forward from publication ...
    ("The ministerial will be held on Nov. 3-4 in Almaty.", P(2021, 12, 1), (2022, 11, 3)),
    ("The council is scheduled to meet on March 9 in Bishkek.", P(2019, 11, 20), (2020, 3, 9)),
    ("Delegates would reconvene in Tashkent on January 14-15.", P(2018, 10), (2019, 1, 14)),
    ("The third round is planned for early April.", P(2016, 12), (2017, 4, None)),
    ("Talks on the charter are scheduled for February in Baku.", P(2022, 11, 2), (2023, 2, None)),
    ("The upcoming session on July 2 will adopt a budget.", P(2024, 8, 30), (2025, 7, 2)),
    ("On Sept. 30 the assembly is expected to elect its chair.", P(2020, 10, 20), (2021, 9, 30)),
    # ... a day a little before a day-precise publication date stays in its year
    ("The forum will open on May 6 in Astana.", P(2024, 5, 10), (2024, 5, 6)),
    # ... and the past looks back, even when a future verb follows later in the sentence
    ("The results of the talks that were held on December 5-6 are to be released.",
     P(2021, 1, 15), (2020, 12, 5)),
    ("It was signed on April 22.", P(2023, 3, 1), (2022, 4, 22)),
])
def test_a_future_clause_takes_the_next_such_date(text: str, published: P,
                                                  expected: tuple) -> None:
    found = one(text, published)
    assert ymd(found) == expected
    assert found.basis == "relative_to_publication" and found.role == "event"


def test_a_relative_year_after_a_month_gives_its_year() -> None:
    found = one("From September this year, the city hosts the secretariat.", P(2026, 4, 2))
    assert (ymd(found), found.expression) == ((2026, 9, None), "From September this year")
    assert one("It opened on 12 May last year.", P(2026, 4, 2)).year == 2025
    assert one("It will open in March of next year.", P(2026, 4, 2)).year == 2027


def test_a_list_of_days_shares_the_year_written_at_its_end() -> None:
    found = dates("The protocols were signed on 4 March and 19 November 2011 in Minsk.")
    assert [ymd(d) for d in found] == [(2011, 3, 4), (2011, 11, 19)]
    assert found[0].basis == "explicit"
    found = dates("Rounds took place on May 2-3 and on June 7, 2012.", P(2020))
    assert [ymd(d) for d in found] == [(2012, 5, 2), (2012, 6, 7)]


def test_a_month_after_a_dated_month_in_its_sentence_takes_that_year() -> None:
    found = dates("The corridor opened in March 2019, and in October a second line started.",
                  P(2023, 6, 1))
    assert [(d.year, d.month, d.basis) for d in found] == [
        (2019, 3, "explicit"), (2019, 10, "year_from_context")]
    # a month before the dated one may belong to another year: the publication date decides
    found = dates("The line opened in October 2019, and in March a second line started.",
                  P(2023, 6, 1))
    assert found[1].year == 2023 and found[1].basis == "relative_to_publication"


def test_without_a_publication_date_the_narrative_year_carries_over() -> None:
    found = dates("The treaty was signed on 14 June 2009. By November, four states had "
                  "ratified it.")
    assert [(d.year, d.month) for d in found] == [(2009, 6), (2009, 11)]


@pytest.mark.parametrize("text, expected", [
    ("On 3 March 2016 the bank was founded. The next day it opened an office.", (2016, 3, 4)),
    ("The forum closed on 9 June 2021. The day before, ministers signed a pact.", (2021, 6, 8)),
    ("The talks ran on 4-5 May 2022. The following day the envoys left.", (2022, 5, 6)),
    ("It was ratified on 2 July 2018; that same day the law was published.", (2018, 7, 2)),
])
def test_days_counted_from_the_last_dated_day(text: str, expected: tuple) -> None:
    found = dates(text)
    assert ymd(found[-1]) == expected and found[-1].basis == "year_from_context"


def test_day_references_that_are_no_date() -> None:
    assert dates("They arrived the day before the summit opened.", P(2020, 5, 5)) == []
    found = dates("The plant shut down on that day in 1994.")
    assert [(d.expression, d.year) for d in found] == [("in 1994", 1994)]


# --- weekdays ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text, published, expected, end", [
    # 4 March 2024 was a Monday
    ("The senate approved the bill on Monday.", P(2024, 3, 4), (2024, 3, 4), None),
    ("Ministers met Tuesday in Tashkent.", P(2024, 3, 7), (2024, 3, 5), None),
    ("The envoys met Wednesday-Thursday in Baku.", P(2024, 3, 8), (2024, 3, 6), (3, 7)),
    ("Thursday's vote confirmed the new chair.", P(2024, 3, 8), (2024, 3, 7), None),
    ("The assembly will convene on Friday and Saturday.", P(2024, 3, 6), (2024, 3, 8), (3, 9)),
    ("Leaders will gather next Monday.", P(2024, 3, 4), (2024, 3, 11), None),
])
def test_weekdays(text: str, published: P, expected: tuple, end: tuple | None) -> None:
    found = one(text, published)
    assert ymd(found) == expected
    if end:
        assert (found.end_month, found.end_day) == end


@pytest.mark.parametrize("text", [
    "Markets fell on what traders called Black Monday.",
    "The office closes early every Friday.",
    "Churches were full on Good Friday.",
])
def test_weekdays_that_are_no_date(text: str) -> None:
    assert dates(text, P(2024, 3, 8)) == []


def test_a_weekday_before_its_calendar_date_leaves_the_date_to_it() -> None:
    found = one("On Wednesday (5 June 2019), Georgia became an observer.", P(2019, 6, 20))
    assert (ymd(found), found.basis) == ((2019, 6, 5), "explicit")
    found = one("On Tuesday, Oct. 8, the council met.", P(2019, 10, 20))
    assert ymd(found) == (2019, 10, 8)


def test_a_newspaper_called_today_is_no_date() -> None:
    found = dates("Kazakhstan Today reported the vote. Today the chamber meets again.",
                  P(2020, 2, 3))
    assert [d.expression for d in found] == ["Today"]


# --- shapes: abbreviations, ranges, parentheses, decades, ordinals ----------------------------


@pytest.mark.parametrize("text, published, expected, end", [
    ("The summit opened on Dec.9 in Doha.", P(2015, 12), (2015, 12, 9), None),
    ("The rounds ran on Sept. 20 through 22 in Geneva.", P(2018, 10), (2018, 9, 20), (9, 22)),
    ("The seminar took place in March 11\u201313 in Almaty.", P(2019, 4), (2019, 3, 11),
     (3, 13)),
    ("It gained observer status (November 2008).", None, (2008, 11, None), None),
    ("It was signed on the 21st of August 2003.", None, (2003, 8, 21), None),
    ("This June the hub opened its doors.", P(2020, 9), (2020, 6, None), None),
])
def test_more_shapes(text: str, published: P | None, expected: tuple,
                     end: tuple | None) -> None:
    found = one(text, published)
    assert ymd(found) == expected
    if end:
        assert (found.end_month, found.end_day) == end


def test_a_month_year_range() -> None:
    found = one("Chair: Mongolia (April 2016-2019).")
    assert (found.year, found.month, found.end_year, found.basis) == (2016, 4, 2019, "range")


def test_a_decade_is_no_date() -> None:
    assert dates("Trade links revived in the early 2000s.", P(2020)) == []


def test_planned_for_a_month_is_an_event_date_not_a_target() -> None:
    assert one("The next congress is planned for late September.", P(2021, 2)).role == "event"
    assert one("Exports are planned for 2030 to double.", P(2021, 2)).role == "target"


# --- datelines inside the text ----------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "GENEVA, May 14. /TASS/. The conference opened.",
    "MINSK, Belarus, April 2. The agreement entered into force.",
    "BISHKEK. Nov 30. KABAR - The forum closed.",
])
def test_more_datelines_are_background(text: str) -> None:
    found = dates(text, P(2024, 3, 3))
    assert found and found[0].role == "background", found


# --- publication date: masthead and byline lines, addresses, refining a coarse date -----------


@pytest.mark.parametrize("text, expected", [
    ("March 2, 2015 Issue 9, Number 41\n\nSpecial report\n\nThe forum opened.", P(2015, 3, 2)),
    ("Aliya Bekova | Tue 5th March 2019 | 10:12 AM\n\nThe forum opened.", P(2019, 3, 5)),
    ("Wednesday, 14 July 2021\n\nThe forum opened.", P(2021, 7, 14)),
    # a first line that starts with a date but tells of an event is no masthead
    ("14 July 2021: leaders met in Astana to open the forum.\n\nIt lasted two days.", None),
    ("- Awarded: 2014-03-18\n- Opening: 2019-05-02\n\nThe fair opened.", None),
])
def test_publication_date_from_the_first_lines(text: str, expected: P | None) -> None:
    assert infer_publication_date(text) == expected


def test_eight_digits_glued_to_a_word_in_the_address() -> None:
    url = "https://example.org/press/release14022012.htm"
    assert infer_publication_date("The forum opened.", url=url) == P(2012, 2, 14)


@pytest.mark.parametrize("known, text, expected", [
    (P(2023, 5), "Published: 17 May 2023\n\nThe forum opened.", P(2023, 5, 17)),
    (P(2023, 5), "TASHKENT, May 17 (UzA) - The forum opened.", P(2023, 5, 17)),
    (P(2023), "TASHKENT, May 17 (UzA) - The forum opened.", P(2023, 5, 17)),
    # the article disagrees with what is known: the known date stays
    (P(2023, 6), "Published: 17 May 2023\n\nThe forum opened.", P(2023, 6)),
    (P(2023, 6), "TASHKENT, May 17 (UzA) - The forum opened.", P(2023, 6)),
    (P(2022), "Published: 17 May 2023\n\nThe forum opened.", P(2022)),
    (P(2023, 5, 18), "TASHKENT, May 17 (UzA) - The forum opened.", P(2023, 5, 18)),
])
def test_refine_a_coarse_publication_date(known: P, text: str, expected: P) -> None:
    assert refine_publication_date(known, text) == expected


def test_an_approximate_ago_is_background() -> None:
    found = one("The body was convened more than 25 years ago.", P(2020))
    assert (found.year, found.role) == (1995, "background")
    assert one("The body was convened 25 years ago.", P(2020)).role == "event"


@pytest.mark.parametrize("text", [
    "Under the decision, the day is to be observed on 10 December each year.",
    "Under the decision, the day would be marked on Dec. 10.",
    "March 21 was chosen as the date because the treaty was signed then.",
    "It was the first full summit since 2012.",
    "Trade reached its highest level since 2008.",
])
def test_calendar_days_and_comparisons_are_background(text: str) -> None:
    assert [d.role for d in dates(text, P(2024, 5, 5))] == ["background"]


def test_since_that_starts_something_stays_an_event() -> None:
    assert one("The forum has been held since 2012.", P(2024)).role == "event"


def test_a_weekday_after_an_article_is_no_date() -> None:
    assert dates("Crowds gathered for the Friday prayers.", P(2024, 3, 8)) == []


@pytest.mark.parametrize("text", [
    "GENEVA, May 14. /TASS/. The conference opened.",
    "BISHKEK. May 14. KABAR - The forum closed.",
    "Tashkent, May 14: The ministers arrived.",
])
def test_datelines_without_a_year_refine_a_month(text: str) -> None:
    assert refine_publication_date(P(2024, 5), text) == P(2024, 5, 14)
