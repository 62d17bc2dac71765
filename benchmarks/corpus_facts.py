"""Facts of the synthetic corpus: initiatives, their histories and the sentences stating them.

Every sentence written here knows what it says. A fact sentence returns its ground truth with
it: an event (initiative id, event type, year) or a membership figure (initiative id, kind,
count, year), in the vocabulary of the warehouse (`docs/schema.md`, `etl/extract/events.py`,
`etl/extract/membership.py`). Mention sentences name an initiative without dating anything;
distractor sentences look like facts but are not (attendance, approximate counts, another
body's dates, a target year, a year in an unrelated context) and return no truth.

Names come from `data/reference/initiatives.toml` (aliases, acronyms and context-bound phrases,
expanded as the ETL expands them), so every alias is used across a corpus. Two kinds of expansion
are left out because no writer would produce them: dangling fragments the `{a|}` notation
creates ('... Heads of State of Central Asian', 'talks on the Syrian') and the two canonical
names that carry a date ('UN Security Council non-permanent seat 2017-2018', "Kazakhstan's OSCE
Chairmanship 2010"). Names that contain a year and name a meeting ('EXPO 2017', 'the 2010 OSCE
Summit') date it: a careful reader takes 'EXPO 2017' as held in 2017, so the truth records that
event wherever such a name appears.

Histories are plausible (proposal years, first editions, summits and rounds, joiners, membership
counts by year) rather than authoritative; a small share of sentences misreport a year, as
newspapers do, and the truth follows the text.

A careful human reads publication-relative dates ('last year', 'in June', 'three years ago', 'on
Thursday') against the publication date the article shows; the writer only uses them when the
article shows one, at the precision they need.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from benchmarks.corpus_prose import CITIES, THEME_TOPICS, person_name, pick

MONTH_NAMES = tuple(calendar.month_name)
MONTH_ABBR = ("", "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.",
              "Oct.", "Nov.", "Dec.")
WEEKDAYS = tuple(calendar.day_name)


def _words(text: str) -> tuple[str, ...]:
    """A tuple of the words of a long string."""
    return tuple(text.split())


ORDINAL_WORDS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                 "eighth", "ninth", "tenth", "eleventh", "twelfth")
NUMBER_WORDS = _words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
TENS_WORDS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
              "ninety")

# One fact: ('event', initiative_id, event_type, year) or
# ('membership', initiative_id, kind, count, year); the sentence is added by the writer.
Fact = tuple


def ordinal_suffix(n: int) -> str:
    """'1st', '28th', '22nd'."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return str(n) + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def ordinal_word(n: int) -> str:
    """'sixth' up to twelve, '20th' beyond."""
    return ORDINAL_WORDS[n] if n < len(ORDINAL_WORDS) else ordinal_suffix(n)


def number_words(n: int) -> str:
    """'twenty-eight', 'five' (n < 100)."""
    if n < 20:
        return NUMBER_WORDS[n]
    tens, units = divmod(n, 10)
    return TENS_WORDS[tens] + (f"-{NUMBER_WORDS[units]}" if units else "")


def capital_name(day: dt.date) -> str:
    """The capital's name at a date: Nur-Sultan from March 2019 to September 2022."""
    return "Nur-Sultan" if dt.date(2019, 3, 23) <= day < dt.date(2022, 9, 17) else "Astana"


# --- initiative histories ---------------------------------------------------------------------


@dataclass(frozen=True)
class Happening:
    """One dated event in an initiative's history (what a fact sentence may report)."""

    event_type: str
    year: int
    month: int | None = None
    day: int | None = None
    place: str | None = None
    ordinal: int | None = None  # edition number (held) or member number (joined)
    who: str | None = None  # the country that joined / took over the chair
    end_year: int | None = None  # period
    tag: str = ""  # selects wording where one event type covers different things

    def date(self) -> dt.date:
        """The earliest day the happening can stand for."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        """The latest day it can stand for (an article must come after it)."""
        if self.day:
            return dt.date(self.year, self.month or 1, self.day)
        if self.month:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, 12, 31)


def H(event_type: str, when: str, place: str | None = None, ordinal: int | None = None,
      who: str | None = None, end_year: int | None = None, tag: str = "") -> Happening:
    """Shorthand: H('held', '2022-10-12', 'Astana', 6)."""
    parts = [int(p) for p in when.split("-")]
    return Happening(event_type, parts[0], parts[1] if len(parts) > 1 else None,
                     parts[2] if len(parts) > 2 else None, place, ordinal, who, end_year, tag)


@dataclass
class Spec:
    """How the corpus writes about one initiative: when it exists, its history and its names."""

    id: str
    born: dt.date  # articles published before this never mention it
    happenings: tuple[Happening, ...] = ()
    edition: str | None = None  # 'summit', 'round', 'meeting' ... of its gatherings
    self_named: bool = False  # 'the first Astana International Forum' (else 'summit of CICA')
    interval: str | None = None  # 'every three years' (recurrence: 'held every ... since')
    members: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    the_acronym: bool = True  # 'the IOFS' (False: 'CICA')
    org_nouns: tuple[str, ...] = ()  # back-references for what it is ('the organisation')
    meet_nouns: tuple[str, ...] = ()  # back-references for its gatherings ('the forum')
    extra_nouns: tuple[str, ...] = ()  # natural back-references the gazetteer does not list
    facts_ok: bool = True  # False: only mentioned, never dated (no fitting event type)
    year_in_name: str | None = None  # event type a year inside its name implies ('held')
    themes: tuple[str, ...] = ()  # the themes articles about it lean towards
    fact_names: tuple[str, ...] = ()  # names for fact sentences when the aliases do not fit
    # filled from the gazetteer
    names: tuple[str, ...] = ()  # surfaces for fact sentences (article included)
    mention_forms: tuple[tuple[str, str], ...] = ()  # (surface, frame class) for mentions
    acronym: str | None = None
    short: str = ""  # for headlines
    intro_ok: bool = True  # whether a name can open a sentence as its subject

    def count(self, kind: str, year: int) -> int | None:
        """The membership figure of `kind` in `year` (the latest change at or before it)."""
        value = None
        for since, count in self.members.get(kind, ()):
            if since <= year:
                value = count
        return value


def _d(text: str) -> dt.date:
    y, m, d = (int(p) for p in text.split("-"))
    return dt.date(y, m, d)


_CICA_JOINERS = (("Thailand", 2004, 17), ("South Korea", 2006, 18), ("Jordan", 2008, 19),
                 ("the United Arab Emirates", 2008, 20), ("Vietnam", 2010, 21),
                 ("Iraq", 2010, 22), ("Bahrain", 2010, 23), ("Cambodia", 2011, 24),
                 ("Qatar", 2014, 25), ("Bangladesh", 2014, 26), ("Sri Lanka", 2018, 27),
                 ("Kuwait", 2022, 28))
_IOFS_JOINERS = (("Tajikistan", 2016, 30), ("Uzbekistan", 2018, 33), ("Azerbaijan", 2019, 35),
                 ("Bangladesh", 2021, 37), ("Jordan", 2023, 38), ("Oman", 2025, 40))

SPECS_RAW: tuple[Spec, ...] = (
    Spec("CICA", _d("1992-10-06"), (
        H("proposed", "1992-10-05", "New York"),
        H("approved", "1999-09-14", "Almaty"),
        H("first_held", "2002-06-04", "Almaty", 1),
        H("held", "2006-06-17", "Almaty", 2), H("held", "2010-06-08", "Istanbul", 3),
        H("held", "2014-05-21", "Shanghai", 4), H("held", "2019-06-15", "Dushanbe", 5),
        H("held", "2022-10-12", "Astana", 6),
        H("chairmanship", "2020", who="Kazakhstan"), H("chairmanship", "2024-01", who="Azerbaijan"),
        H("chairmanship", "2010", who="Turkey"), H("chairmanship", "2014", who="China"),
        H("period", "2020", who="Kazakhstan", end_year=2022),
        H("period", "2014", who="China", end_year=2018),
        *(H("joined", f"{y}", who=c, ordinal=n) for c, y, n in _CICA_JOINERS),
        H("observer_joined", "2016", who="Belarus"),
    ), edition="summit", members={
        "member_states": ((1999, 15), (2002, 16), *((y, n) for _, y, n in _CICA_JOINERS)),
        "observer_states": ((2002, 5), (2006, 7), (2010, 8), (2016, 9)),
        "observer_organisations": ((2002, 3), (2014, 4), (2019, 5)),
        "partner_organisations": ((2022, 6),),
    }, the_acronym=False,
        org_nouns=("organisation", "conference", "body", "grouping", "platform", "forum"),
        meet_nouns=("conference", "forum"), extra_nouns=("bloc",),
        themes=("security", "multilateral diplomacy")),
    Spec("CICA_CATALOGUE", _d("2004-10-23"), (H("approved", "2004-10-22", "Almaty"),),
         org_nouns=("catalogue",), themes=("security",)),
    Spec("CASCF", _d("2023-07-14"), (
        H("first_held", "2023-07-13", "Astana", 1), H("held", "2024-07-11", "Astana", 2),
        H("held", "2025-07-10", "Astana", 3),
    ), edition="forum", self_named=True, interval="every year", the_acronym=False,
        meet_nouns=("forum",), extra_nouns=("event",), themes=("security",)),
    Spec("OSCE_2010_SUMMIT", _d("2010-12-03"), (H("held", "2010-12-01", "Astana"),),
         year_in_name="held", meet_nouns=("summit",),
         themes=("security", "multilateral diplomacy")),
    Spec("OSCE_CHAIRMANSHIP_2010", _d("2010-01-02"), (H("chairmanship", "2010-01"),),
         themes=("security", "multilateral diplomacy")),
    Spec("UNSC_2017_2018", _d("2016-06-29"), (
        H("elected", "2016-06-28", "New York"), H("period", "2017", end_year=2018),
    ), themes=("multilateral diplomacy", "security")),
    Spec("UNSC_REFORM", _d("2020-09-23"), (
        H("proposed", "2020-09-22"), H("proposed", "2022-09-20"), H("proposed", "2023-09-19"),
    ), themes=("multilateral diplomacy",)),
    Spec("UN_PEACEKEEPING", _d("2014-03-01"), (
        H("started", "2014", tag="officers"), H("started", "2018-10", tag="contingent"),
    ), themes=("security",), fact_names=("UN peacekeeping missions",
                                          "United Nations peacekeeping operations",
                                          "UN peacekeeping operations")),
    Spec("NUCLEAR_RENUNCIATION", _d("2000-01-01"), facts_ok=False,
         themes=("nuclear non-proliferation",)),
    Spec("CANWFZ", _d("2006-09-09"), (
        H("signed", "2006-09-08", "Semipalatinsk"), H("approved", "2009-03-21"),
    ), members={"member_states_ratified": ((2009, 5),)}, the_acronym=False,
        org_nouns=("treaty",), themes=("nuclear non-proliferation",),
        fact_names=("the Treaty on a Nuclear-Weapon-Free Zone in Central Asia",
                    "the Semipalatinsk Treaty", "the Treaty of Semipalatinsk",
                    "the CANWFZ treaty")),
    Spec("TPNW", _d("2017-07-08"), (
        H("signed", "2018-03-02", "New York"), H("approved", "2019-08-29", tag="ratified"),
        H("approved", "2021-01-22", tag="in_force"),
    ), members={"member_states_ratified": ((2020, 50), (2021, 59), (2022, 68), (2023, 69),
                                           (2024, 73))},
        org_nouns=("treaty",), themes=("nuclear non-proliferation",)),
    Spec("IAEA_LEU_BANK", _d("2015-08-28"), (
        H("signed", "2015-08-27", "Astana"), H("launched", "2017-08-29", "Ust-Kamenogorsk"),
    ), org_nouns=("bank",), themes=("nuclear non-proliferation",)),
    Spec("UN_DAY_AGAINST_NUCLEAR_TESTS", _d("2009-12-03"), (
        H("founded", "2009-12-02"), H("first_held", "2010-08-29"),
    ), org_nouns=("day",), themes=("nuclear non-proliferation",)),
    Spec("NUCLEAR_FREE_WORLD_DECLARATION", _d("2015-12-08"), (H("approved", "2015-12-07"),),
         org_nouns=("declaration",), themes=("nuclear non-proliferation",)),
    Spec("ALMATY_IRAN_TALKS", _d("2013-02-27"), (
        H("held", "2013-02-26", "Almaty"), H("held", "2013-04-05", "Almaty"),
    ), meet_nouns=("talks", "negotiations"),
        themes=("mediation & peace talks", "nuclear non-proliferation")),
    Spec("ASTANA_PROCESS", _d("2017-01-24"), (
        H("started", "2017-01-23"), H("launched", "2017-01-23"),
        H("first_held", "2017-01-23", "Astana", 1),
        *(H("held", f"{y}-{m:02d}", "Astana", n) for n, (y, m) in enumerate((
            (2017, 2), (2017, 3), (2017, 5), (2017, 7), (2017, 9), (2017, 10), (2017, 12),
            (2018, 5), (2018, 7), (2018, 11), (2019, 4), (2019, 8), (2019, 12), (2021, 2),
            (2021, 7), (2021, 12), (2022, 6), (2022, 11), (2023, 6), (2024, 1), (2024, 11)),
            start=2)),
    ), edition="round", org_nouns=("process", "format"), meet_nouns=("process", "format"),
        extra_nouns=("talks",), themes=("mediation & peace talks", "security")),
    Spec("AIF", _d("2023-06-10"), (
        H("first_held", "2023-06-08", "Astana", 1), H("held", "2025-05-29", "Astana", 2),
        H("held", "2026-05-28", "Astana", 3),
    ), edition="forum", self_named=True, meet_nouns=("forum", "platform"),
        extra_nouns=("event",), themes=("multilateral diplomacy", "economy")),
    Spec("AEF", _d("2008-05-01"), (
        H("first_held", "2008", "Astana", 1),
        *(H("held", f"{y}-05", "Astana", y - 2007) for y in range(2009, 2019)),
        H("period", "2008", end_year=2018),
    ), edition="forum", self_named=True, meet_nouns=("forum",),
        extra_nouns=("event",), themes=("economy",)),
    Spec("CLWTR", _d("2003-09-25"), (
        H("first_held", "2003-09-23", "Astana", 1),
        *(H("held", w, "Astana", n) for n, w in enumerate(
            ("2006-09-12", "2009-07-01", "2012-05-30", "2015-06-10", "2018-10-10",
             "2022-09-14", "2025-09-17"), start=2)),
    ), edition="congress", self_named=True, interval="every three years",
        meet_nouns=("congress", "forum", "gathering"), extra_nouns=("event",),
        themes=("religion & interfaith dialogue",)),
    Spec("ASTANA_CLUB", _d("2015-11-20"), (
        H("first_held", "2015-11", "Astana", 1),
        *(H("held", f"{y}-11", "Astana", y - 2014) for y in range(2016, 2026)),
    ), edition="meeting", interval="every year", meet_nouns=("club",),
        themes=("security", "multilateral diplomacy")),
    Spec("CA_CONSULTATIVE_MEETING", _d("2018-03-16"), (
        H("first_held", "2018-03-15", "Astana", 1), H("held", "2019-11-29", "Tashkent", 2),
        H("held", "2021-08-06", "Avaza", 3), H("held", "2022-07-21", "Cholpon-Ata", 4),
        H("held", "2023-09-14", "Dushanbe", 5), H("held", "2024-08-09", "Astana", 6),
    ), edition="meeting", self_named=True, meet_nouns=("meeting",),
        themes=("multilateral diplomacy", "trade & transport")),
    Spec("IOFS", _d("2011-06-29"), (
        H("proposed", "2011-06-28", "Astana"), H("approved", "2013-12"),
        H("founded", "2013"), *(H("joined", f"{y}", who=c, ordinal=n) for c, y, n in _IOFS_JOINERS),
    ), members={"member_states": ((2014, 18), *((y, n) for _, y, n in _IOFS_JOINERS))},
        org_nouns=("organisation", "entity"), themes=("food security",)),
    Spec("IOFS_AFG_PROGRAMME", _d("2021-11-01"), (H("launched", "2021-10"),),
         org_nouns=("programme",), themes=("food security",)),
    Spec("IABS", _d("2020-09-23"), (H("proposed", "2020-09-22", "New York"),),
         org_nouns=("agency", "idea", "proposal", "initiative"), extra_nouns=("body",),
         themes=("biosecurity & health",)),
    Spec("TITR", _d("2014-01-01"), (H("launched", "2014"), H("started", "2017")),
         org_nouns=("route", "corridor"), themes=("trade & transport",)),
    Spec("NORTH_SOUTH_CORRIDOR", _d("2000-09-17"), (
        H("signed", "2000-09-16", "St Petersburg"), H("joined", "2003", who="Kazakhstan"),
    ), org_nouns=("corridor",), themes=("trade & transport",)),
    Spec("KTI_RAILWAY", _d("2007-12-01"), (
        H("started", "2007-12"), H("launched", "2014-12-03"),
    ), org_nouns=("railway",), themes=("trade & transport",)),
    Spec("EAEU", _d("1994-03-30"), (
        H("proposed", "1994-03-29", "Moscow"), H("signed", "2014-05-29", "Astana"),
        H("founded", "2015-01-01"), H("joined", "2015-01-02", who="Armenia", ordinal=4),
        H("joined", "2015-08-12", who="Kyrgyzstan", ordinal=5),
        H("observer_joined", "2018-05", who="Moldova"),
        H("observer_joined", "2020-12", who="Uzbekistan"),
    ), members={"member_states": ((2015, 5),), "observer_states": ((2018, 1), (2020, 3))},
        org_nouns=("union",), extra_nouns=("bloc",), themes=("economy", "trade & transport")),
    Spec("OTS", _d("2006-11-18"), (
        H("proposed", "2006-11-17", "Antalya"), H("founded", "2009-10-03", "Nakhchivan"),
        H("joined", "2019-09", who="Uzbekistan", ordinal=5),
        H("observer_joined", "2018-09", who="Hungary"),
        H("observer_joined", "2021-11", who="Turkmenistan"),
    ), members={"member_states": ((2009, 4), (2019, 5)), "observer_states": ((2018, 1),
                                                                            (2021, 2))},
        org_nouns=("organisation", "council"), extra_nouns=("bloc",),
        themes=("multilateral diplomacy", "economy")),
    Spec("IFAS", _d("1993-01-05"), (H("founded", "1993-01-04", "Tashkent"),),
         members={"member_states": ((1993, 5),)}, the_acronym=False, org_nouns=("fund",),
         themes=("climate/water/energy",)),
    Spec("SDG_CENTRE_ALMATY", _d("2020-09-23"), (H("proposed", "2020-09-22"),),
         org_nouns=("centre",), themes=("economy", "multilateral diplomacy")),
    Spec("EXPO_2017", _d("2017-09-11"), (H("held", "2017-06-10", "Astana"),),
         year_in_name="held", meet_nouns=("exhibition", "expo"),
         themes=("climate/water/energy", "economy"),
         fact_names=("EXPO 2017", "the Astana EXPO", "Astana EXPO 2017",
                     "the International Specialised Exhibition EXPO 2017",
                     "EXPO 2017 Future Energy")),
    Spec("GREEN_BRIDGE", _d("2010-10-01"), (
        H("proposed", "2010-09-30", "Astana"), H("approved", "2012-06-22"),
    ), org_nouns=("programme", "partnership"), themes=("climate/water/energy",)),
    Spec("COE_COOPERATION", _d("2014-03-01"), (
        H("started", "2014"), H("period", "2019", end_year=2022),
        H("period", "2024", end_year=2027),
    ), org_nouns=("partnership", "cooperation"),
        themes=("democracy & governance", "human rights"),
        fact_names=("the Council of Europe", "the CoE")),
    Spec("COE_DISINFO_CONVENTION", _d("2024-06-01"), facts_ok=False,
         themes=("disinformation & media",)),
    Spec("GRECO", _d("2020-01-02"), (H("joined", "2020-01-01", who="Kazakhstan", ordinal=50),),
         the_acronym=False, themes=("democracy & governance",)),
    Spec("AFGHAN_WOMEN_EDU", _d("2019-09-15"), (H("launched", "2019-09"),),
         org_nouns=("programme",), themes=("education & human capital", "human rights"),
         fact_names=("the Empowering Afghan Women through Education programme",
                     "the Empowering Afghan Women programme",
                     "the Kazakhstan-EU-UNDP education programme for Afghan women")),
)

# --- names from the gazetteer -----------------------------------------------------------------

# expansions no writer would produce (see the module docstring)
_DANGLING = re.compile(r"(?:Central Asian|on (?:the )?Syrian|the Syria|on Syria \w+|"
                       r"on Iranian nuclear \w+|on Iran nuclear \w+|of P5\+1 and Iran)$")
_DATED_NAMES = frozenset({"UN Security Council non-permanent seat 2017-2018",
                          "Kazakhstan's OSCE Chairmanship 2010"})
_NO_ARTICLE_START = re.compile(
    r"^(?:EXPO 2017|Kazakh|Kazakhstani|UN peacekeeping|United Nations peacekeeping|UNSC |"
    r"Security Council reform|UN Security Council reform|United Nations Security Council reform|"
    r"Participation|Kazakhstan's|non-permanent|chairmanship|OSCE Chair|reform|redesign|"
    r"restructur|overhaul|gave|give|giving|renounc|closed|close |shut|Empowering|"
    r"intra-|inter-)", re.IGNORECASE)
_US_SPELLINGS = ((" Organisation", " Organization"), (" Programme", " Program"),
                 ("Centre", "Center"), ("Specialised", "Specialized"),
                 ("Catalogue", "Catalog"), ("Neighbourhood", "Neighborhood"))


def _frame_class(spec_id: str, alias: str, context: bool) -> str:
    """Which mention frames fit an alias (see MENTION_FRAMES)."""
    first = alias.split()[0].lower()
    if context:
        return "ctx:" + spec_id
    if spec_id == "NUCLEAR_RENUNCIATION":
        if first in ("gave", "renounced", "closed", "shut"):
            return "past_their" if " their " in alias else "past"
        if first in ("give", "renounce", "close"):
            return "base_their" if " their " in alias else "base"
        if first in ("giving", "renouncing", "shutting"):
            return "gerund"
        return "np_the"
    if spec_id == "UNSC_REFORM":
        if first in ("reform", "redesign", "restructure", "overhaul") and \
                alias.split()[1] == "the":
            return "base_unsc"
        if first.endswith("ing") and alias.split()[1] == "the":
            return "gerund_unsc"
        if first.startswith("kazakhstan"):
            return "np_bare"
        return "np_bare" if " of " not in alias else "np_the"
    if spec_id == "UNSC_2017_2018":
        if "members of" in alias:
            return "unsc_members"
        if "member of" in alias:
            return "unsc_member"
        return "poss"
    if spec_id == "OSCE_CHAIRMANSHIP_2010":
        return "poss"
    if spec_id == "UN_PEACEKEEPING" and first == "participation":
        return "poss_lower"
    if spec_id == "UN_PEACEKEEPING" and alias.endswith(("mission", "operation", "contingent",
                                                        "battalion")):
        return "np_the"
    if _NO_ARTICLE_START.match(alias):
        return "np_bare"
    return "np_the"


def _surface(alias: str, frame: str) -> str:
    if alias.startswith("Empowering"):
        return f"the {alias} programme"
    if alias.startswith("Renunciation"):
        return "the r" + alias[1:]
    if frame == "np_the":
        return "the " + alias
    if frame == "poss_lower":
        return alias[:1].lower() + alias[1:]
    return alias


def attach_names(specs: Sequence[Spec], gazetteer: object) -> dict[str, Spec]:
    """Fill every spec's names and mention forms from the gazetteer (`etl.extract.Gazetteer`)."""
    by_id: dict[str, Spec] = {}
    for spec in specs:
        entry = gazetteer.by_id[spec.id]  # type: ignore[attr-defined]
        forms: list[tuple[str, str]] = []
        for alias, context in [*((a, False) for a in entry.aliases),
                               *((a, True) for a in entry.context_aliases)]:
            if alias in _DATED_NAMES or _DANGLING.search(alias):
                continue
            frame = _frame_class(spec.id, alias, context)
            forms.append((_surface(alias, frame), frame))
        for acronym in entry.acronyms:
            the = spec.the_acronym and acronym not in ("KAZBAT",)
            forms.append((("the " if the else "") + acronym, "np_acronym"))
        spec.mention_forms = tuple(forms)
        spec.acronym = entry.acronym
        name = " ".join(re.sub(r"\([^()]*\)", " ", entry.name).split())
        names = [f for f, frame in forms if frame in ("np_the", "np_acronym")
                 and not f.lower().startswith("the kazakhstan-eu")]
        canonical = [f for f, frame in forms if frame == "np_the" and f[4:] == name]
        spec.names = spec.fact_names or tuple(dict.fromkeys(canonical + names)) or (forms[0][0],)
        spec.intro_ok = bool(spec.fact_names or names)
        spec.short = entry.acronym or next(
            (n for n in spec.names if not re.search(r"\d", n)), spec.names[0])
        by_id[spec.id] = spec
    return by_id


def us_spelling(text: str) -> str:
    """American spellings of names ('Organization', 'Program', 'Center')."""
    for uk, us in _US_SPELLINGS:
        text = text.replace(uk, us)
    return text


# --- mention, intro and distractor frames ------------------------------------------------------

MENTION_FRAMES: dict[str, tuple[str, ...]] = {
    "np": (
        "Speakers repeatedly referred to {X} as an example of practical cooperation.",
        "Diplomats in {city} see {X} as part of a broader strategy.",
        "Critics say the results of {X} have been mixed.",
        "The ministry's statement also mentioned {X}.",
        "{X} featured prominently in the discussions.",
        "Several delegations praised {X}.",
        "Much of the attention went to {X}.",
        "The report devotes a full chapter to {X}.",
        "Officials also pointed to {X} as evidence of Kazakhstan's commitment to {t}.",
        "Questions about {X} came up repeatedly.",
        "{person} described {X} as a good example of Kazakh diplomacy.",
        "Kazakh officials often cite {X} when they speak about {t}.",
        "Supporters of {X} argue that its value lies in keeping channels open.",
        "Few outside the region know much about {X}.",
    ),
    "poss": (
        "Diplomats still speak of Kazakhstan's {X} with some pride.",
        "Kazakhstan's {X} raised the country's profile considerably.",
        "Officials often mention Kazakhstan's {X} when they talk about {t}.",
    ),
    "poss_lower": (
        "Officials also praised Kazakhstan's {X}.",
        "Kazakhstan's {X} is a source of national pride.",
    ),
    "unsc_member": (
        "Kazakhstan's term as a {X} raised its profile.",
        "As a {X}, Kazakhstan pushed for more attention to Afghanistan.",
    ),
    "unsc_members": ("Kazakhstan was then one of the ten {X}.",),
    "past": (
        "Kazakhstan {X} after the collapse of the Soviet Union, a decision officials still "
        "cite with pride.",
        "Few remember now that Kazakhstan {X} when it could have kept them as a bargaining "
        "chip.",
    ),
    "past_their": ("Kazakhstan, Belarus and Ukraine {X} after the Soviet collapse.",),
    "base": ("Kazakhstan's leadership chose to {X} rather than bargain.",),
    "base_their": ("The three post-Soviet states agreed to {X}.",),
    "gerund": ("By {X}, Kazakhstan gained a moral authority it still draws on.",),
    "base_unsc": ("Tokayev has urged world leaders to {X}.",
                  "Kazakh diplomats argue that it is time to {X}."),
    "gerund_unsc": ("Kazakhstan has made the case for {X}.",
                    "Astana is among the capitals that support {X}."),
    "ctx:ASTANA_PROCESS": ("Kazakh diplomats still speak proudly of the {X} hosted in Astana.",
                           "The {X} in Astana brought the guarantor states to one table."),
    "ctx:ALMATY_IRAN_TALKS": ("Almaty still remembers the {X} it hosted.",),
    "ctx:OSCE_2010_SUMMIT": ("Diplomats in Astana still recall the {X}.",),
    "ctx:CA_CONSULTATIVE_MEETING": ("Officials across Central Asia value the {X} of their "
                                    "presidents.",),
    "ctx:UNSC_2017_2018": ("Kazakhstan's elected seat on the {X} gave it new visibility.",),
    "ctx:UN_PEACEKEEPING": ("Kazakh officials speak warmly of the country's {X}.",),
    "ctx:IOFS": ("The OIC's {X} is based in Astana.",),
    "ctx:AFGHAN_WOMEN_EDU": ("The EU-backed {X} has been praised by Kazakh universities.",),
}

INTRO_FRAMES: tuple[str, ...] = (
    "{X} is one of the most visible products of Kazakh diplomacy.",
    "{X} has become a fixture of the regional calendar.",
    "{X} is often cited as proof that a middle power can shape the agenda.",
    "{X} remains central to Astana's multilateral ambitions.",
    "{X} has had a mixed record.",
    "{X} deserves a closer look.",
    "{X} grew out of Kazakhstan's search for a role between larger neighbours.",
    "{X} is rarely out of the news in Kazakhstan.",
    "{X} has quietly gained weight over the years.",
    "{X} is a good example of how Kazakhstan works.",
)


class _LazyFields(dict):
    """Template fields computed on first use (`str.format_map` calls `__missing__`)."""

    def __init__(self, factories: dict[str, Callable[[], str]]) -> None:
        super().__init__()
        self.factories = factories

    def __missing__(self, key: str) -> str:
        value = self[key] = self.factories[key]()
        return value


class Sentence(NamedTuple):
    """A sentence with the facts it states (empty for prose, mentions and distractors)."""

    text: str
    facts: tuple[Fact, ...] = ()
    kind: str = "fact"  # fact | intro | mention | distractor | prose


# --- dates --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pub:
    """An article's publication date: the true one, and what the reader can see of it."""

    true: dt.date
    known: str | None  # None, 'year', 'month' or 'day'

    @property
    def year(self) -> int | None:
        return self.true.year if self.known else None


def _month_word(m: int, us: bool, rng: random.Random) -> str:
    return MONTH_ABBR[m] if us and rng.random() < 0.3 else MONTH_NAMES[m]


def date_phrase(rng: random.Random, h: Happening, pub: Pub, us: bool) -> str:
    """A prepositional date phrase for a past happening ('in 2002', 'last year', ...).

    Relative forms appear only when the article shows its publication date at the precision
    they need, so a careful reader can resolve them to the happening's year.
    """
    y, m, d = h.year, h.month, h.day
    options: list[tuple[float, str]] = [(30, f"in {y}")]
    if y <= pub.true.year - 5:
        options.append((4, f"back in {y}"))
    if m:
        options.append((16, f"in {_month_word(m, us, rng)} {y}"))
        season = ("winter", "winter", "spring", "spring", "spring", "summer", "summer",
                  "summer", "autumn", "autumn", "autumn", "winter")[m - 1]
        if m not in (1, 2, 12):
            options.append((2, f"in the {season} of {y}"))
        if m <= 3:
            options.append((2, f"in early {y}"))
        elif m >= 10:
            options.append((2, f"in late {y}"))
    if d and m:
        options.append((9, f"on {MONTH_NAMES[m]} {d}, {y}" if us
                        else f"on {d} {MONTH_NAMES[m]} {y}"))
    if pub.known:
        gap = pub.true.year - y
        if gap == 1:
            options.append((8, "last year"))
        if gap >= 2:
            n = number_words(gap) if gap < 20 and rng.random() < 0.6 else str(gap)
            options.append((4, f"{n} years ago"))
        if pub.known in ("month", "day") and gap == 0 and m and m < pub.true.month:
            options.append((4, "earlier this year"))
            options.append((5, f"in {MONTH_NAMES[m]}"))
            if d and pub.known == "day":
                options.append((3, f"on {MONTH_NAMES[m]} {d}" if us
                                else f"on {d} {MONTH_NAMES[m]}"))
        if pub.known in ("month", "day") and m:
            previous = (pub.true.replace(day=1) - dt.timedelta(days=1))
            if (previous.year, previous.month) == (y, m):
                options.append((4, "last month"))
    return _weighted(rng, options)


def recent_phrase(rng: random.Random, pub: Pub, day: dt.date, us: bool) -> str:
    """A phrase for `day`, a few days before publication ('on Thursday', 'this week').

    Relative forms need a publication date known to the day; otherwise the date is written out.
    """
    days = (pub.true - day).days
    if pub.known == "day" and 1 <= days <= 6:
        options: list[tuple[float, str]] = [(6, f"on {WEEKDAYS[day.weekday()]}")]
        if days == 1:
            options.append((3, "yesterday"))
        if day.weekday() < pub.true.weekday() and day.year == pub.true.year:
            options.append((3, "this week"))
        if day.year == pub.true.year:
            options.append((3, f"on {MONTH_NAMES[day.month]} {day.day}" if us
                            else f"on {day.day} {MONTH_NAMES[day.month]}"))
        return _weighted(rng, options)
    if pub.known in ("month", "day") and day.month == pub.true.month and \
            day.year == pub.true.year:
        return (f"on {MONTH_NAMES[day.month]} {day.day}" if us
                else f"on {day.day} {MONTH_NAMES[day.month]}")
    return (f"on {MONTH_NAMES[day.month]} {day.day}, {day.year}" if us
            else f"on {day.day} {MONTH_NAMES[day.month]} {day.year}")


def range_phrase(rng: random.Random, start: int, end: int) -> str:
    """'from 2017 to 2018', 'between 2020 and 2022', 'in 2017-2018'."""
    return _weighted(rng, [(5, f"from {start} to {end}"), (2, f"between {start} and {end}"),
                           (2, f"in {start}-{end}")])


def _weighted(rng: random.Random, options: Sequence[tuple[float, str]]) -> str:
    total = sum(w for w, _ in options)
    u = rng.random() * total
    for weight, text in options:
        u -= weight
        if u < 0:
            return text
    return options[-1][1]


def cap(text: str) -> str:
    """Capitalise the first letter of a sentence."""
    return text[:1].upper() + text[1:]


# --- fact templates -------------------------------------------------------------------------------

# Fields: {X} the initiative (name, acronym or back-reference), {D} a date phrase, {P} a place,
# {WHO} who spoke for Kazakhstan, {C} a country, {FX} an edition ('summit of CICA' or 'Astana
# International Forum'), {O} an ordinal ('sixth'), {E} the edition noun, {INT} an interval,
# {Y} a bare year, {R} a range phrase. `^` marks templates whose first word is {X} (a pronoun
# back-reference 'It' may stand there).
EVENT_TEMPLATES: dict[str, tuple[str, ...]] = {
    "proposed": (
        "^{X} was first proposed by Kazakhstan {D}.",
        "{WHO} first proposed {X} {D}.",
        "{WHO} first proposed {X} in a speech at the UN General Assembly {D}.",
        "The idea of {X} was put forward by {WHO} {D}.",
        "{DC}, {WHO} floated the idea of {X}.",
        "^{X} grew out of a proposal that {WHO} made {D}.",
        "{WHO} came up with the idea of {X} {D}.",
        "It was {WHO} who proposed {X} {D}.",
        "Kazakhstan suggested creating {X} {D}.",
        "^{X} was initiated by {WHO} {D}.",
        "{WHO} called for {X} {D}.",
    ),
    "founded": (
        "^{X} was founded {D}.",
        "^{X} was formally established {D}.",
        "^{X} was set up {D}.",
        "{DC}, {X} was officially established.",
        "^{X} came into being {D}.",
        "The establishment of {X} {D} followed years of preparatory work.",
        "^{X}, established {D}, has grown steadily since.",
        "Founded {D}, {X} has since become a respected institution.",
    ),
    "first_held": (
        "The first {FX} was held in {P} {D}.",
        "^{X} met for the first time in {P} {D}.",
        "^{X} convened for the first time {D}.",
        "The inaugural {FX} took place in {P} {D}.",
        "{DC}, {P} hosted the first {FX}.",
        "^{X}, first held {D}, has become a fixture of the diplomatic calendar.",
        "Since its first {E} {D}, {X} has steadily gained visibility.",
        "{DC}, {X} opened its doors for the first time.",
    ),
    "first_held_org": (
        "^{X} held its first {E} in {P} {D}.",
        "The first {FX} was held in {P} {D}.",
        "Leaders gathered in {P} {D} for the first {FX}.",
    ),
    "recurrence": (
        "^{X} has been held {INT} since {Y}.",
        "^{X} has met {INT} since {Y}.",
    ),
    "held": (
        "The {O} {FX} took place in {P} {D}.",
        "{P} hosted the {O} {FX} {D}.",
        "^{X} convened in {P} {D}.",
        "^{X} was held in {P} {D} under the theme “{THEME}”.",
        "{DC}, {X} gathered delegates from across the region in {P}.",
        "^{X} last met in {P} {D}.",
        "The {O} {FX} was held {D}.",
    ),
    "held_org": (
        "^{X} held its {O} {E} in {P} {D}.",
        "The {O} {FX} took place in {P} {D}.",
        "{P} hosted the {O} {FX} {D}.",
        "Leaders met in {P} {D} for the {O} {FX}.",
    ),
    "held_recent": (
        "The {O} {FX} closed in {P} {D}.",
        "This year's {FX} closed in {P} {D}.",
        "^{X} wrapped up in {P} {D} after two days of discussions.",
        "Delegates gathered in {P} {D} for {X}.",
        "^{X} opened in {P} {D}.",
    ),
    "held_recent_org": (
        "The {O} {FX} closed in {P} {D}.",
        "This year's {FX} closed in {P} {D}.",
        "Leaders gathered in {P} {D} for the {O} {FX}.",
        "The latest {FX} opened in {P} {D}.",
    ),
    "first_held_recent": (
        "The first {FX} closed in {P} {D}.",
        "^{X} met for the first time in {P} {D}.",
        "The inaugural {FX} wrapped up in {P} {D}.",
    ),
    "joined": (
        "{C} joined {X} {D}.",
        "{C} became a full member of {X} {D}.",
        "{C} was admitted to {X} {D}.",
        "{C} completed its accession to {X} {D}.",
        "{DC}, {C} joined {X}.",
    ),
    "observer_joined": (
        "{C} was granted observer status in {X} {D}.",
        "{C} became an observer to {X} {D}.",
        "{C} joined {X} as an observer {D}.",
    ),
    "signed": (
        "^{X} was signed in {P} {D}.",
        "The signing of {X} in {P} {D} was hailed as a milestone.",
        "{DC}, representatives gathered in {P} to sign {X}.",
    ),
    "approved": (
        "^{X} was adopted {D}.",
        "^{X} was approved {D}.",
    ),
    "launched": (
        "^{X} was launched {D}.",
        "Kazakhstan launched {X} {D}, together with its partners.",
        "^{X} was officially opened {D}.",
        "^{X} was inaugurated {D}.",
        "{DC}, {X} was rolled out with the support of international donors.",
    ),
    "started": (
        "^{X} began {D}.",
        "Work under {X} started {D}.",
        "^{X} started operating {D}.",
    ),
    "chairmanship": (
        "{C} took over the chairmanship of {X} {D}.",
        "{C} assumed the rotating chairmanship of {X} {D}.",
        "{DC}, {C} took over the chair of {X}.",
    ),
    "period": (
        "{C} chaired {X} {R}.",
        "{R2}, {C} held the chairmanship of {X}.",
    ),
}

# Initiatives whose facts need their own wording (the generic templates would not fit).
SPECIAL_TEMPLATES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("CICA", "approved"): (
        "CICA foreign ministers adopted the Declaration on the Principles Guiding Relations "
        "among Member States {D}.",
        "Member states of {X} approved the Declaration on the Principles Guiding Relations "
        "{D}.",
    ),
    ("CICA_CATALOGUE", "approved"): (
        "^{X} was adopted in {P} {D}.",
        "Member states adopted {X} at a ministerial meeting in {P} {D}.",
        "{DC}, foreign ministers approved {X}.",
    ),
    ("OSCE_CHAIRMANSHIP_2010", "chairmanship"): (
        "Kazakhstan took over the {X} {D}.",
        "Kazakhstan's {X} {D} was a first for a former Soviet republic.",
        "Kazakhstan held the {X} {D}.",
        "Kazakhstan chaired the OSCE {D}, the first Central Asian state to do so.",
    ),
    ("UNSC_2017_2018", "elected"): (
        "Kazakhstan was elected a {XM} {D}.",
        "{DC}, Kazakhstan won a {XS}.",
        "Kazakhstan was elected to a {XS} {D}.",
    ),
    ("UNSC_2017_2018", "period"): (
        "Kazakhstan held a {XS} {R}.",
        "Kazakhstan served as a {XM} {R}.",
        "{R2}, Kazakhstan sat on the UN Security Council as a non-permanent member.",
    ),
    ("UNSC_REFORM", "proposed"): (
        "{WHO} proposed {XN} {D}.",
        "{WHO} called for {XN} when speaking before the UN General Assembly {D}.",
        "{DC}, {WHO} put forward proposals for {XN}.",
        "{WHO} first floated the idea of {XN} {D}.",
    ),
    ("UN_PEACEKEEPING", "started", "officers"): (
        "Kazakh officers began serving in {X} {D}.",
        "Kazakhstan's participation in UN peacekeeping missions started {D}.",
    ),
    ("UN_PEACEKEEPING", "started", "contingent"): (
        "Kazakhstan sent its first peacekeeping contingent abroad {D}.",
        "Kazakh peacekeepers began serving in the UN mission in Lebanon {D}.",
    ),
    ("CANWFZ", "signed"): (
        "^{X} was signed in Semipalatinsk {D}.",
        "{DC}, the five Central Asian states signed {X} in Semipalatinsk.",
        "The signing of {X} {D} made Central Asia the first such zone entirely in the northern "
        "hemisphere.",
    ),
    ("CANWFZ", "approved"): (
        "^{X} entered into force {D}.",
        "^{X} came into force {D}, after the last of the five states ratified it.",
    ),
    ("TPNW", "signed"): (
        "Kazakhstan signed {X} {D}.",
        "{DC}, Kazakhstan signed {X}.",
    ),
    ("TPNW", "approved", "ratified"): (
        "Kazakhstan ratified {X} {D}.",
        "{DC}, the Kazakh parliament ratified {X}.",
    ),
    ("TPNW", "approved", "in_force"): (
        "^{X} entered into force {D}.",
        "^{X} came into force {D}, after the fiftieth ratification.",
    ),
    ("IAEA_LEU_BANK", "signed"): (
        "Kazakhstan and the IAEA signed the agreement to host {X} in Astana {D}.",
        "The host agreement for {X} was signed {D}.",
    ),
    ("IAEA_LEU_BANK", "launched"): (
        "^{X} was inaugurated in Ust-Kamenogorsk {D}.",
        "^{X} was officially opened at the Ulba Metallurgical Plant {D}.",
        "^{X} was launched {D}.",
    ),
    ("UN_DAY_AGAINST_NUCLEAR_TESTS", "founded"): (
        "^{X} was established by the UN General Assembly {D}.",
        "The UN General Assembly established {X} {D}, on Kazakhstan's initiative.",
    ),
    ("UN_DAY_AGAINST_NUCLEAR_TESTS", "first_held"): (
        "^{X} was marked for the first time {D}.",
        "^{X} was first observed {D}.",
    ),
    ("NUCLEAR_FREE_WORLD_DECLARATION", "approved"): (
        "^{X} was adopted by the UN General Assembly {D}.",
        "The UN General Assembly adopted {X} {D}.",
    ),
    ("ALMATY_IRAN_TALKS", "held"): (
        "Almaty hosted {XC} {D}.",
        "^{X} took place {D}.",
        "{DC}, Almaty hosted two rounds of {XC}.",
    ),
    ("ASTANA_PROCESS", "started"): (
        "^{X} began {D}.",
        "^{X} started {D}, shortly after the fall of eastern Aleppo.",
    ),
    ("ASTANA_PROCESS", "launched"): (
        "^{X} was launched {D}, shortly after the fall of eastern Aleppo.",
        "Russia, Turkey and Iran launched {X} {D}.",
    ),
    ("ASTANA_PROCESS", "first_held"): (
        "The first round of {X} took place in Astana {D}.",
        "^{X} convened for the first time {D}.",
    ),
    ("ASTANA_PROCESS", "held"): (
        "The {O} round of {X} took place {D}.",
        "Astana hosted the {O} round of {X} {D}.",
        "Negotiators met {D} for the {O} round of {X}.",
    ),
    ("AEF", "period"): (
        "^{X} was held every year {R}.",
        "^{X} ran {R}.",
    ),
    ("IOFS", "proposed"): (
        "The idea of {X} was put forward at a meeting of OIC foreign ministers in Astana {D}.",
        "{WHO} proposed {X} {D}.",
        "^{X} was first proposed by Kazakhstan {D}.",
    ),
    ("IOFS", "approved"): (
        "The statute of {X} was adopted {D}.",
        "{DC}, OIC member states approved the statute of {X}.",
    ),
    ("EAEU", "proposed"): (
        "{WHO} first proposed {X} in a lecture to students in Moscow {D}.",
        "The idea of {X} was put forward by {WHO} {D}.",
    ),
    ("EAEU", "signed"): (
        "The treaty establishing {X} was signed in Astana {D}.",
        "The treaty on {X} was signed {D}.",
    ),
    ("EAEU", "founded"): (
        "^{X} came into being {D}.",
        "^{X} was formally established {D}.",
    ),
    ("OTS", "founded"): (
        "^{X} was founded in Nakhchivan {D}.",
        "^{X} was established {D}.",
    ),
    ("NORTH_SOUTH_CORRIDOR", "signed"): (
        "The agreement on {X} was signed in St Petersburg {D}.",
        "Russia, Iran and India signed the agreement on {X} {D}.",
    ),
    ("KTI_RAILWAY", "started"): (
        "Construction of {X} began {D}.",
        "Work on {X} started {D}.",
    ),
    ("KTI_RAILWAY", "launched"): (
        "^{X} was officially opened {D}.",
        "^{X} was inaugurated {D}.",
    ),
    ("GREEN_BRIDGE", "proposed"): (
        "Kazakhstan proposed {X} at a ministerial conference in Astana {D}.",
        "^{X} was first proposed by Kazakhstan {D}.",
    ),
    ("GREEN_BRIDGE", "approved"): (
        "^{X} was endorsed at the UN Conference on Sustainable Development {D}.",
        "^{X} was approved by the UN Conference on Sustainable Development {D}.",
    ),
    ("COE_COOPERATION", "started"): (
        "Kazakhstan's cooperation with {X} dates back to {Y}.",
        "Kazakhstan's cooperation with {X} began {D}.",
    ),
    ("COE_COOPERATION", "period"): (
        "The Neighbourhood Cooperation Priorities for Kazakhstan ({Y1}-{Y2}) focus on the "
        "judiciary and anti-corruption.",
        "Kazakhstan and {X} agreed cooperation priorities for {Y1}-{Y2}.",
    ),
    ("GRECO", "joined"): (
        "Kazakhstan joined {X} {D}.",
        "Kazakhstan became a member of {X} {D}.",
    ),
    ("EXPO_2017", "held"): (
        "{X} was held in Astana from 10 June to 10 September 2017.",
        "{X} ran for three months in the summer of 2017.",
        "{X} took place in Astana in 2017.",
    ),
    ("OSCE_2010_SUMMIT", "held"): (
        "^{X} was held in Astana on 1-2 December 2010.",
        "^{X} took place in Astana in December 2010.",
    ),
}

PRESENT_MEMBERSHIP: tuple[str, ...] = (
    "^{X} now unites {N} member states.",
    "Today {X} brings together {N} countries.",
    "^{X} has {N} member states.",
    "^{X} currently comprises {N} countries.",
    "{XP} membership now stands at {N} countries.",
    "^{X} counts {N} member states.",
    "^{X}, which now has {N} member states, is based in Astana.",
    "^{X} is made up of {N} member states.",
    "With {N} member states, {X} is one of the larger groupings in the region.",
)
PAST_MEMBERSHIP: tuple[str, ...] = (
    "In {Y}, {X} had {N} member states.",
    "By {Y}, {X} had {N} member states.",
    "^{X} had {N} member states in {Y}.",
)
OBSERVER_MEMBERSHIP: tuple[str, ...] = (
    "{N} states and {M} international organisations have observer status with {X}.",
)
RATIFIED_MEMBERSHIP: tuple[str, ...] = (
    "{N} states have ratified {X} so far.",
    "^{X} has been ratified by {N} countries.",
    "So far {N} states have ratified {X}.",
)


@dataclass
class FactWriter:
    """Writes the fact, mention and distractor sentences of one article.

    `pub` is the article's publication date; `us` selects American date order and spellings.
    """

    rng: random.Random
    pub: Pub
    us: bool
    specs: dict[str, Spec]
    misreport: float = 0.03  # share of dated facts whose year is one off (the text rules)

    def _name(self, spec: Spec) -> str:
        rng = self.rng
        names = spec.names
        name = names[0] if rng.random() < 0.4 or len(names) == 1 else rng.choice(names)
        return us_spelling(name) if self.us else name

    def _fields(self, spec: Spec, h: Happening | None, x: str) -> dict[str, str]:
        """Template fields, each computed only when a template asks for it."""
        rng = self.rng
        factories: dict[str, Callable[[], str]] = {
            "city": lambda: pick(rng, CITIES), "person": lambda: person_name(rng),
            "t": lambda: pick(rng, THEME_TOPICS[pick(rng, spec.themes or ("security",))]),
        }
        if h is not None:
            edition = spec.edition or "meeting"
            end = h.end_year or h.year + 1
            factories.update({
                "P": lambda: capital_name(h.date()) if h.place in (None, "Astana", "Nur-Sultan")
                else h.place,
                "WHO": lambda: _leader(rng, h.year), "C": lambda: h.who or "Kazakhstan",
                "FX": lambda: (x.removeprefix("the ").removeprefix("The ") if spec.self_named
                               else f"{edition} of {x}"),
                "O": lambda: ordinal_word(h.ordinal or 2), "E": lambda: edition,
                "INT": lambda: spec.interval or "every year", "Y": lambda: str(h.year),
                "R": lambda: range_phrase(rng, h.year, end),
                "R2": lambda: cap(range_phrase(rng, h.year, end)),
                "Y1": lambda: str(h.year), "Y2": lambda: str(end),
                "THEME": lambda: pick(rng, ("Dialogue for Peace", "Shared Security",
                                            "Building Trust in a Divided World",
                                            "Connectivity and Prosperity")),
            })
        fields = _LazyFields(factories)
        fields["X"] = x
        if h is not None:
            d = date_phrase(rng, h, self.pub, self.us)
            fields["D"] = d
            fields["DC"] = cap(d)
        return fields

    # --- events -------------------------------------------------------------------------------

    def event(self, spec: Spec, h: Happening, backref: str | None = None,
              recent: bool = False) -> Sentence:
        """A sentence reporting happening `h` of `spec`, with its truth.

        `backref` ('It', 'the forum') stands for the initiative when given; the caller puts
        the sentence right after one whose subject is the initiative. `recent` reports an
        edition a few days before publication ('closed in Astana on Thursday').
        """
        rng = self.rng
        event_type = h.event_type
        truth_year = h.year
        templates = self._templates(spec, h, recent)
        if backref is not None:
            # the back-reference opens the sentence, as its subject
            usable = [t for t in templates if t.startswith("^") and not (
                backref == "It" and t.startswith("^{X},"))]
            # a noun back-reference next to another body's name would be ambiguous
            usable = [t for t in usable if backref == "It" or not _OTHER_BODY.search(t)]
            if usable:
                templates = usable
            else:
                backref = None
        template = rng.choice(templates)
        dated_by_field = "{D" in template or "{Y}" in template  # not a fixed date ('2017')
        if dated_by_field and not recent and h.event_type != "period" and \
                h.year < self.pub.true.year - 1 and rng.random() < self.misreport:
            truth_year = h.year + (1 if h.year <= 1992 else rng.choice((-1, 1)))
            h = Happening(h.event_type, truth_year, None, None, h.place, h.ordinal, h.who,
                          h.end_year, h.tag)
        x = backref if backref is not None else self._name(spec)
        fields = self._fields(spec, h, x)
        if recent:
            phrase = recent_phrase(rng, self.pub, h.date(), self.us)
            fields.update({"D": phrase, "DC": cap(phrase)})
        if spec.id == "UNSC_2017_2018":
            fields["XM"] = rng.choice([f for f, c in spec.mention_forms if c == "unsc_member"])
            fields["XS"] = rng.choice([f for f, c in spec.mention_forms
                                       if c == "poss" and "seat" in f])
        if spec.id == "UNSC_REFORM":
            fields["XN"] = rng.choice([f for f, c in spec.mention_forms
                                       if c in ("np_the", "np_bare")
                                       and not f.startswith("Kazakhstan")])
        if spec.id == "ALMATY_IRAN_TALKS":
            fields["XC"] = "the " + rng.choice([f for f, c in spec.mention_forms
                                                if c.startswith("ctx")])
        if spec.id == "OSCE_CHAIRMANSHIP_2010":
            fields["X"] = rng.choice([f for f, c in spec.mention_forms if c == "poss"])
        text = template.lstrip("^").format_map(fields)
        if template.startswith("^") and x.startswith("the "):
            text = "The " + text[4:]
        facts: list[Fact] = [("event", spec.id, event_type, truth_year)]
        facts += self._implied_by_name(spec, x, skip=event_type)
        return Sentence(cap(text), tuple(dict.fromkeys(facts)))

    def _templates(self, spec: Spec, h: Happening, recent: bool) -> tuple[str, ...]:
        special = SPECIAL_TEMPLATES.get((spec.id, h.event_type, h.tag)) or \
            SPECIAL_TEMPLATES.get((spec.id, h.event_type))
        if special and not recent:
            return special
        kind = h.event_type
        if recent and kind == "first_held":
            return EVENT_TEMPLATES["first_held_recent"]
        if recent:
            kind = "held_recent" if spec.self_named or spec.edition == "round" else \
                "held_recent_org"
            if h.ordinal is None:
                return tuple(t for t in EVENT_TEMPLATES[kind] if "{O}" not in t)
            return EVENT_TEMPLATES[kind]
        elif kind in ("held", "first_held") and not spec.self_named and spec.edition in (
                "summit", "meeting"):
            kind += "_org"
        templates = EVENT_TEMPLATES[kind]
        if kind == "held" and h.ordinal is None:
            templates = tuple(t for t in templates if "{O}" not in t)
        if kind == "first_held" and spec.interval and h.ordinal == 1 and self.rng.random() < 0.25:
            templates = EVENT_TEMPLATES["recurrence"]
        if kind == "period" and h.who is None:
            templates = ("^{X} ran {R}.",)
        return templates

    def _implied_by_name(self, spec: Spec, surface: str, skip: str | None = None
                         ) -> list[Fact]:
        """'EXPO 2017', 'the 2010 OSCE Summit': a year inside a meeting's name dates it."""
        if spec.year_in_name is None or spec.year_in_name == skip:
            return []
        year = 2017 if spec.id == "EXPO_2017" else spec.born.year
        if re.search(rf"\b{year}\b", surface):
            return [("event", spec.id, spec.year_in_name, year)]
        return []

    # --- memberships ----------------------------------------------------------------------------

    def membership(self, spec: Spec, kind: str, backref: str | None = None) -> Sentence | None:
        """A sentence giving a membership figure of `spec` (present or past), with its truth."""
        rng = self.rng
        pub_year = self.pub.true.year
        x = backref if backref is not None else self._name(spec)
        xp = (spec.acronym or "") + "'s" if spec.acronym and backref is None else None
        if kind == "member_states_ratified":
            count = spec.count(kind, pub_year)
            if count is None:
                return None
            template = rng.choice(RATIFIED_MEMBERSHIP)
            n = self._number(count, start=template.startswith("{N}"))
            text = template.lstrip("^").format(X=x, N=n)
            if template.startswith("^") and x.startswith("the "):
                text = "The " + text[4:]
            return Sentence(cap(text), (("membership", spec.id, kind, count, self.pub.year),))
        if kind in ("observer_states", "observer_organisations"):
            states = spec.count("observer_states", pub_year)
            orgs = spec.count("observer_organisations", pub_year)
            if not states or not orgs:
                return None
            text = rng.choice(OBSERVER_MEMBERSHIP).format(
                X=x, N=self._number(states, start=True), M=self._number(orgs))
            return Sentence(cap(text), (
                ("membership", spec.id, "observer_states", states, self.pub.year),
                ("membership", spec.id, "observer_organisations", orgs, self.pub.year)))
        changes = [y for y, _ in spec.members.get("member_states", ()) if y < pub_year]
        if not changes:
            return None
        if rng.random() < 0.35 and len(changes) > 1:
            year = rng.choice(changes[:-1])
            count = spec.count("member_states", year) or 0
            template = rng.choice(PAST_MEMBERSHIP)
            text = template.lstrip("^").format(X=x, N=self._number(count), Y=year)
            if template.startswith("^") and x.startswith("the "):
                text = "The " + text[4:]
            return Sentence(cap(text), (("membership", spec.id, "member_states", count, year),))
        count = spec.count("member_states", pub_year) or 0
        templates = [t for t in PRESENT_MEMBERSHIP if (xp or "{XP}" not in t) and
                     (backref != "It" or t.startswith("^"))]
        template = rng.choice(templates)
        text = template.lstrip("^").format(X=x, N=self._number(count), XP=xp)
        if template.startswith("^") and x.startswith("the "):
            text = "The " + text[4:]
        return Sentence(cap(text), (("membership", spec.id, "member_states", count,
                                     self.pub.year),))

    def joined_with_count(self, spec: Spec, h: Happening) -> Sentence:
        """'Kuwait became the 28th member of CICA in 2022': a joining and a count."""
        rng = self.rng
        d = date_phrase(rng, h, self.pub, self.us)
        x = self._name(spec)
        text = rng.choice((
            "{C} became the {ON} member of {X} {D}.",
            "{DC}, {C} became the {ON} member of {X}.",
        )).format(C=h.who, ON=ordinal_suffix(h.ordinal or 0), X=x, D=d, DC=cap(d))
        return Sentence(cap(text), (("event", spec.id, "joined", h.year),
                                    ("membership", spec.id, "member_states", h.ordinal, h.year)))

    def first_with_count(self, spec: Spec, h: Happening) -> Sentence | None:
        """'When CICA held its first summit in 2002, it had 16 member states.'"""
        count = spec.count("member_states", h.year)
        if not count:
            return None
        rng = self.rng
        d = date_phrase(rng, h, self.pub, self.us)
        text = "When {X} held its first {E} {D}, it had {N} member states.".format(
            X=self._name(spec), E=spec.edition or "summit", D=d, N=self._number(count))
        return Sentence(cap(text), (("event", spec.id, "first_held", h.year),
                                    ("membership", spec.id, "member_states", count, h.year)))

    def grown(self, spec: Spec) -> Sentence | None:
        """'CICA's membership has grown from 16 countries in 2002 to 28 today.'"""
        series = spec.members.get("member_states", ())
        pub_year = self.pub.true.year
        past = [(y, n) for y, n in series if y < pub_year]
        if len(past) < 2 or not spec.acronym or not self.pub.known:
            return None
        rng = self.rng
        year, first = rng.choice(past[:-1])
        now = spec.count("member_states", pub_year) or 0
        if now == first:
            return None
        text = (f"{spec.acronym}'s membership has grown from {first} countries in {year} to "
                f"{now} today.")
        return Sentence(text, (("membership", spec.id, "member_states", first, year),
                               ("membership", spec.id, "member_states", now, self.pub.year)))

    def proposed_then_first(self, spec: Spec, proposed: Happening,
                            first: Happening) -> Sentence:
        """'CICA, which was proposed in 1992, held its first summit in Almaty in 2002.'"""
        rng = self.rng
        d1 = date_phrase(rng, proposed, self.pub, self.us)
        d2 = date_phrase(rng, first, self.pub, self.us)
        text = "{X}, which was proposed {D1}, held its first {E} in {P} {D2}.".format(
            X=self._name(spec), D1=d1, E=spec.edition or "summit",
            P=first.place or capital_name(first.date()), D2=d2)
        return Sentence(cap(text), (("event", spec.id, "proposed", proposed.year),
                                    ("event", spec.id, "first_held", first.year)))

    def proposed_then_founded(self, spec: Spec, proposed: Happening,
                              founded: Happening) -> Sentence:
        """'Proposed by Nazarbayev in 2006, the OTS was formally established in 2009.'"""
        rng = self.rng
        d1 = date_phrase(rng, proposed, self.pub, self.us)
        d2 = date_phrase(rng, founded, self.pub, self.us)
        text = (f"Proposed by {_leader(rng, proposed.year)} {d1}, {self._name(spec)} was "
                f"formally established {d2}.")
        return Sentence(cap(text), (("event", spec.id, "proposed", proposed.year),
                                    ("event", spec.id, "founded", founded.year)))

    def _number(self, n: int, start: bool = False) -> str:
        """A count in digits or words (words below ten at the start of a sentence)."""
        if n < 100 and (self.rng.random() < 0.3 or (start and n < 10)):
            return number_words(n).capitalize() if start else number_words(n)
        return str(n)

    # --- mentions, intros, distractors -------------------------------------------------------

    def intro(self, spec: Spec) -> tuple[Sentence, str]:
        """An undated sentence whose subject is the initiative; returns it and the name used.

        Sometimes it introduces the full name with the acronym in brackets, which the following
        sentences then use.
        """
        rng = self.rng
        template = rng.choice(INTRO_FRAMES)
        name = self._name(spec)
        if spec.acronym and rng.random() < 0.3 and spec.names:
            full = us_spelling(spec.names[0]) if self.us else spec.names[0]
            if not full.endswith(spec.acronym):
                name = f"{full} ({spec.acronym})"
        text = template.format(X=name)
        if text.startswith("the "):
            text = "The " + text[4:]
        return Sentence(cap(text), tuple(self._implied_by_name(spec, name)), "intro"), name

    def mention(self, spec: Spec) -> Sentence:
        """An undated sentence naming the initiative by any of its names (every alias in time)."""
        rng = self.rng
        surface, frame = rng.choice(spec.mention_forms)
        if self.us and rng.random() < 0.5:
            surface = us_spelling(surface)
        key = frame
        if frame in ("np_the", "np_bare", "np_acronym"):
            key = "np"
        template = rng.choice(MENTION_FRAMES[key])
        fields = self._fields(spec, None, surface)
        text = template.format_map(fields)
        if text.startswith("the "):
            text = "The " + text[4:]
        return Sentence(cap(text), tuple(self._implied_by_name(spec, surface)), "mention")

    def backref(self, spec: Spec, h: Happening | None) -> str | None:
        """A back-reference for the initiative ('It', 'the forum'), or None when none fits."""
        rng = self.rng
        meeting = h is not None and h.event_type in ("held", "first_held")
        nouns = list(spec.meet_nouns if meeting else spec.org_nouns) or list(spec.org_nouns)
        if spec.extra_nouns and rng.random() < 0.15:
            nouns = list(spec.extra_nouns)
        if rng.random() < 0.4 or not nouns:
            return "It"
        return "the " + rng.choice(nouns)

    def distractors(self, spec: Spec) -> list[Sentence]:
        """Sentences that look like facts about the initiative but state none."""
        rng = self.rng
        x = self._name(spec)
        pub_year = self.pub.true.year
        out = [
            f"Officials say {x} could help the region meet its climate targets by "
            f"{rng.choice((2030, 2035, 2050, 2060))}.",
            f"Kazakhstan, which gained independence in 1991, has promoted {x} for years.",
        ]
        meets = bool(spec.edition or spec.self_named or spec.meet_nouns)
        if meets:
            out.append(f"More than {rng.randint(2, 6)},{rng.randint(100, 999)} delegates from "
                       f"{rng.randint(30, 90)} countries attended {x}, according to the "
                       f"organisers.")
            out.append(f"Dozens of journalists and some {rng.randint(2, 9)}00 experts followed "
                       f"the debates around {x}.")
        if "member_states" in spec.members:
            out.append(f"{x} has more than {rng.randint(20, 60)} member states, one official "
                       f"claimed, although the exact figure is disputed.")
            if spec.edition:
                out.append(f"The last meeting of {x} was attended by {rng.randint(15, 40)} "
                           f"member countries.")
        if spec.id == "IABS":
            out.append(f"{x} would complement the 1972 Biological Weapons Convention, which "
                       f"lacks a verification mechanism.")
        if spec.id == "IOFS":
            out.append(f"The Organisation of Islamic Cooperation, which unites 57 member "
                       f"states, endorsed {x}.")
        if spec.id == "AIF" and pub_year >= 2023:
            out.append(f"{x}'s 2022 edition was cancelled after the unrest of January 2022.")
        if spec.self_named or spec.edition:
            out.append(f"Unlike the Munich Security Conference, which has met every February "
                       f"since 1963, {x} is a young event.")
            if spec.born.year < pub_year - 1:
                year = rng.randint(max(spec.born.year + 1, pub_year - 15), pub_year - 1)
                out.append(f"{person_name(rng)}, who has followed {x} since {year}, said the "
                           f"mood had changed.")
            out.append(f"Speakers at {x} recalled the financial crisis of 2008.")
        if spec.id == "NUCLEAR_RENUNCIATION":
            out.append("After it gave up its nuclear arsenal, Kazakhstan acceded to the "
                       "Non-Proliferation Treaty in 1993.")
        text = rng.choice(out)
        if text.startswith("the "):
            text = "The " + text[4:]
        return [Sentence(cap(text), tuple(self._implied_by_name(spec, x)), "distractor")]


_OTHER_BODY = re.compile(r"\b(?:OIC|IAEA|UN|OSCE|NATO|EU)\b|Munich")


def _leader(rng: random.Random, year: int) -> str:
    if year < 2019:
        return rng.choice(("Nursultan Nazarbayev", "President Nursultan Nazarbayev",
                           "then-President Nursultan Nazarbayev"))
    return rng.choice(("Kassym-Jomart Tokayev", "President Kassym-Jomart Tokayev",
                       "Kazakh President Kassym-Jomart Tokayev"))


def available(spec: Spec, pub: dt.date) -> list[Happening]:
    """The happenings of `spec` an article published on `pub` can report (strictly past)."""
    out = []
    for h in spec.happenings:
        end = dt.date(h.end_year, 12, 31) if h.end_year else h.last_day()
        if h.event_type == "period" and spec.id == "COE_COOPERATION":
            end = h.last_day()  # a cooperation plan's period may still be running
        if end < pub:
            out.append(h)
    return out
