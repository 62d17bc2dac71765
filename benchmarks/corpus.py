"""Deterministic synthetic corpus of news articles, with its ground truth, for benchmarks.

    python -m benchmarks.corpus --articles 100000 --seed 7 --out /tmp/bench
    python -m benchmarks.corpus --articles 101000 --seed 7 --out /tmp/bench   # +1%: appends

writes

    DIR/articles/g0000000.txt ...   the article files (.txt, .md, .html) and manifest.csv
    DIR/truth.jsonl                 one JSON object per article slot: what the ETL should find
    DIR/corpus.json                 summary: seed, counts, words, bytes, generator version

The truth sits beside the articles folder, never in it (the ETL loads every file there).

What it is for: measuring the ETL (speed, and precision/recall with `benchmarks.accuracy`) and
the dashboard on a corpus of realistic size and shape. Articles are 600-2,000 words (mean about
1,000) from eleven outlets with their own furniture: wire copy with a `SOURCE:` line and a
dateline, web pages with navigation and share lines, a hard-wrapped newsletter, Markdown with
YAML front matter, press releases, op-eds with author bios, and a small share of HTML pages.
Most of every article is ordinary prose (`benchmarks.corpus_prose`); a fraction of its sentences
state facts (`benchmarks.corpus_facts`): initiatives named by every alias of
`data/reference/initiatives.toml`, back-references ('the forum', 'It'), dated events in the
phrasings newspapers use, membership figures, and distractors that a careful reader would not
count. Each article has one to four dominant themes of `data/reference/themes.toml`.

Determinism: article i is generated from its own random stream, seeded with (seed, i), so the
output is the same bytes on every run and with any number of workers, and `--articles N+k`
reproduces the first N files (names `g0000000.txt`, `g0000001.md`, ...) and appends k new ones;
`manifest.csv` and `truth.jsonl` then hold the same first rows plus the new ones. Slot files in
DIR/articles that the run did not write (from an earlier, larger run, or another seed) are
removed; other files there are left alone.

Corpus hygiene, as in real folders (rates are options):

* about 1% duplicates: the same bytes as an earlier article under another name, or the same
  article with only whitespace or letter case changed; the ETL should load each once;
* about 0.2% bad files: empty, whitespace only, binary junk, cp1251-encoded text (which should
  load, decoded), and a manifest row naming a file that does not exist; plus a handful of
  oversized files (over the ETL's default `IM_MAX_FILE_BYTES`; one per 25,000 slots).
  `truth.jsonl` says for each what the ETL should do (`expect`: load, duplicate or error).

Metadata is mostly in `manifest.csv`; some files have none there and carry it themselves (front
matter, page metadata, a dateline, a 'Published:' line, a dated URL), a few have none at all.
The truth's `published` is what a reader can tell, at that precision, or null.

Speed: generation runs in worker processes (`--workers`, default one per core). 100,000 slots
(100.9 million words, 714 MB of articles plus six 20 MB oversized files, 116 MB of truth) cost
110 s of CPU (1.0 ms user + 0.1 ms system per article), i.e. about a minute on two free cores;
2,000 slots took 1.9 s on two cores. The run prints its own wall time and rate.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import html
import io
import json
import multiprocessing
import os
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus_facts import (
    MONTH_NAMES,
    SPECS_RAW,
    FactWriter,
    Happening,
    Pub,
    Sentence,
    Spec,
    attach_names,
    available,
    capital_name,
)
from benchmarks.corpus_prose import (
    RUSSIAN_SENTENCES,
    SECTIONS,
    THEMES,
    Prose,
    person_name,
)

GENERATOR_VERSION = "1.0"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
# The ETL's default size limit (`etl.settings.Settings.max_file_bytes`); oversized files exceed it.
ETL_DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
MANIFEST_COLUMNS = ("file", "title", "outlet", "author", "url", "published", "date_precision",
                    "date_note")
NAME_DIGITS = 7
MIN_WORDS, MAX_WORDS = 600, 2000
FIRST_YEAR, LAST_DAY = 2000, dt.date(2026, 6, 30)


# --- options and roles ----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What to generate; every field changes the output, so corpus.json records them all."""

    articles: int
    seed: int
    dup_rate: float = 0.01
    bad_rate: float = 0.002
    oversized_rate: float = 1 / 25_000
    max_file_bytes: int = ETL_DEFAULT_MAX_FILE_BYTES


BAD_KINDS = (("empty", 0.2), ("whitespace", 0.1), ("binary", 0.25), ("cp1251", 0.3),
             ("missing_file", 0.15))
DUP_VARIANTS = (("exact", 0.6), ("whitespace", 0.25), ("case", 0.15))


@dataclass(frozen=True)
class Role:
    """What slot i holds: a normal article, a duplicate of an earlier one, or a bad file."""

    kind: str  # normal | duplicate | bad
    detail: str = ""  # duplicate variant or bad kind
    original: int | None = None  # duplicates: the slot they copy


def role_of(options: Options, index: int) -> Role:
    """The role of slot `index`, from its own random stream (independent of the article text)."""
    if index == 0:
        return Role("normal")
    rng = random.Random(f"{options.seed}:{index}:role")
    u = rng.random()
    if u < options.dup_rate:
        original = rng.randrange(index)
        while original > 0 and role_of(options, original).kind != "normal":
            original -= 1
        return Role("duplicate", _weighted_key(rng, DUP_VARIANTS), original)
    u -= options.dup_rate
    if u < options.bad_rate:
        return Role("bad", _weighted_key(rng, BAD_KINDS))
    u -= options.bad_rate
    if u < options.oversized_rate:
        return Role("bad", "oversized")
    return Role("normal")


def _weighted_key(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    u = rng.random() * sum(w for _, w in options)
    for key, weight in options:
        u -= weight
        if u < 0:
            return key
    return options[-1][0]


# --- outlets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outlet:
    """An outlet and its house style."""

    key: str
    name: str
    ext: str
    weight: float
    manifest_share: float  # share of its files with a row in manifest.csv
    visible_date: str | None  # precision of the date the file itself shows (None: no date)
    us: bool  # American date order and spellings
    domain: str
    has_author: bool = True
    curly: bool = False  # typographic quotes


OUTLETS: tuple[Outlet, ...] = (
    Outlet("herald", "Steppe Herald", "txt", 18, 0.9, "day", False, "steppeherald.kz",
           curly=True),
    Outlet("wire", "Central Asia Wire", "txt", 15, 0.75, "day", True, "centralasiawire.com",
           has_author=False),
    Outlet("brief", "Eurasia Brief", "txt", 7, 0.7, "day", False, "eurasiabrief.substack.com"),
    Outlet("review", "Caspian Policy Review", "md", 6, 0.1, "day", False,
           "caspianpolicyreview.org"),
    Outlet("mfa", "Foreign Ministry Press Service", "txt", 8, 0.8, "day", False, "gov.kz",
           has_author=False),
    Outlet("observer", "Diplomatic Observer", "txt", 10, 0.85, "day", True,
           "diplomaticobserver.com", curly=True),
    Outlet("qdn", "Qazaq Daily News", "txt", 10, 0.8, "day", False, "qazaqdaily.kz",
           has_author=False),
    Outlet("insight", "Eurasia Insight", "html", 4, 0.3, "day", True, "eurasiainsight.org"),
    Outlet("silkroad", "Silk Road Business Daily", "txt", 12, 0.85, None, True,
           "silkroadbusiness.com"),
    Outlet("monitor", "Asia Security Monitor", "md", 5, 0.2, "month", False,
           "asiasecuritymonitor.net"),
    Outlet("nomad", "Nomad Post", "txt", 5, 0.5, "day", False, "nomadpost.kz", curly=True),
)
_OUTLET_CUM: list[float] = []
_total = sum(o.weight for o in OUTLETS)
_acc = 0.0
for _outlet in OUTLETS:
    _acc += _outlet.weight / _total
    _OUTLET_CUM.append(_acc)

# how often each initiative leads an article (others: 1)
PRIMARY_WEIGHTS = {"CICA": 12, "AIF": 8, "CLWTR": 7, "ASTANA_PROCESS": 6, "IOFS": 5, "EAEU": 5,
                   "OTS": 4, "TITR": 5, "IABS": 3, "CASCF": 2, "ASTANA_CLUB": 3,
                   "CA_CONSULTATIVE_MEETING": 3, "AEF": 3, "TPNW": 2, "CANWFZ": 2,
                   "UNSC_2017_2018": 2, "IAEA_LEU_BANK": 2, "UNSC_REFORM": 2}


# --- generation context (one per process) -------------------------------------------------------


@dataclass
class Context:
    """Reference data every article needs, loaded once per process."""

    specs: dict[str, Spec]
    reference_hash: str


_CONTEXT: Context | None = None


def context() -> Context:
    """The process's Context (the gazetteer is read once)."""
    global _CONTEXT
    if _CONTEXT is None:
        from etl.extract.gazetteer import load_gazetteer

        gazetteer = load_gazetteer(REFERENCE_DIR)
        digest = hashlib.sha256()
        for name in ("initiatives.toml", "themes.toml"):
            digest.update((REFERENCE_DIR / name).read_bytes())
        _CONTEXT = Context(attach_names(SPECS_RAW, gazetteer), digest.hexdigest()[:16])
    return _CONTEXT


# --- one article ------------------------------------------------------------------------------


@dataclass
class Article:
    """A composed article before rendering: metadata, paragraphs and truth."""

    index: int
    outlet: Outlet
    pub: Pub
    manifest_precision: str | None  # None: no manifest row
    title: str
    author: str | None
    url: str | None
    paragraphs: list[list[str]]
    facts: list[tuple[tuple, str]]  # (fact, the sentence stating it)
    themes: list[str]
    words: int
    primary: str


def file_name(index: int, ext: str) -> str:
    """'g0000123.txt': zero-padded so that names sort in slot order."""
    return f"g{index:0{NAME_DIGITS}d}.{ext}"


def _publication_date(rng: random.Random, after: dt.date) -> dt.date:
    """A day after `after`, between 2000 and mid-2026, recent years more likely."""
    start = max(FIRST_YEAR, after.year)
    years = list(range(start, LAST_DAY.year + 1))
    weights = [1 + 0.35 * (y - FIRST_YEAR) for y in years]
    year = rng.choices(years, weights)[0]
    last = LAST_DAY if year == LAST_DAY.year else dt.date(year, 12, 31)
    first = max(dt.date(year, 1, 1), after + dt.timedelta(days=1))
    if first > last:
        return min(first, LAST_DAY)
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _earliest(spec: Spec) -> dt.date:
    """The first day an article can report something `spec` did."""
    days = [h.last_day() for h in spec.happenings if h.event_type != "period"]
    return max(spec.born, min(days)) if days else spec.born


def _pick_outlet(rng: random.Random) -> Outlet:
    u = rng.random()
    for outlet, edge in zip(OUTLETS, _OUTLET_CUM, strict=True):
        if u < edge:
            return outlet
    return OUTLETS[-1]


def compose(options: Options, index: int, ctx: Context) -> Article:
    """Compose article `index` from its own random stream (seed, index)."""
    rng = random.Random(f"{options.seed}:{index}")
    outlet = _pick_outlet(rng)
    specs = ctx.specs
    leads = [s for s in specs.values() if s.facts_ok and s.happenings]
    primary = rng.choices(leads, [PRIMARY_WEIGHTS.get(s.id, 1) for s in leads])[0]
    # a third of the articles about a gathering report an edition that just took place
    editions = [h for h in primary.happenings if h.event_type in ("held", "first_held") and
                h.month and h.year >= FIRST_YEAR and h.last_day() < LAST_DAY]
    peg: Happening | None = None
    if editions and rng.random() < 0.3:
        h = rng.choice(editions)
        peg = Happening(h.event_type, h.year, h.month, h.day or rng.randint(1, 28),
                        h.place, h.ordinal, h.who)
        pub_day = peg.date() + dt.timedelta(days=rng.randint(1, 5))
    else:
        pub_day = _publication_date(rng, _earliest(primary))
    manifest_precision: str | None = None
    if rng.random() < outlet.manifest_share:
        manifest_precision = rng.choices(("day", "month", "year"), (85, 12, 3))[0]
    known = manifest_precision or outlet.visible_date
    pub = Pub(pub_day, known)
    candidates = [s for s in specs.values() if s.born < pub_day]
    others = [s for s in candidates if s is not primary]
    secondary = [s for s in rng.sample(others, min(len(others), rng.randint(0, 2)))
                 if s.facts_ok and available(s, pub_day)]
    mentioned = rng.sample(others, min(len(others), rng.randint(0, 3)))
    # themes: one from the lead initiative, then up to three more
    dominant = [rng.choice(primary.themes)]
    for theme in rng.sample(THEMES, rng.randint(0, 3)):
        if theme not in dominant:
            dominant.append(theme)
    weights = [6.0, 3.0, 2.0, 1.5][:len(dominant)]
    rest = [t for t in THEMES if t not in dominant]
    prose = Prose(rng, dominant + rest, weights + [0.12] * len(rest), capital_name(pub_day))
    writer = FactWriter(rng, pub, outlet.us, specs)

    blocks: list[list[Sentence]] = []
    lede: list[Sentence] = []
    if peg is not None:
        lede.append(writer.event(primary, peg, recent=True))
    blocks += _fact_blocks(rng, writer, primary, rng.randint(2, 6), pub_day, lead=True)
    for spec in secondary:
        blocks += _fact_blocks(rng, writer, spec, rng.randint(1, 3), pub_day, lead=False)
    extras = [writer.mention(s) for s in mentioned]
    extras += [writer.mention(primary) for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.6:
        extras += writer.distractors(rng.choice([primary, *secondary]))
    if rng.random() < 0.25:
        extras += writer.distractors(rng.choice([primary, *mentioned, *secondary]))
    rng.shuffle(blocks)

    target = min(MAX_WORDS - 60, MIN_WORDS + 20 + int(rng.expovariate(1 / 400)))
    paragraphs = _arrange(rng, prose, lede, blocks, extras, target)
    facts = [(fact, _quotes(s.text, outlet.curly)) for paragraph in paragraphs
             for s in paragraph for fact in s.facts]
    text_paragraphs = [[s.text for s in paragraph] for paragraph in paragraphs]
    words = sum(len(s.split()) for p in text_paragraphs for s in p)
    title = prose.headline(primary.short)
    author = person_name(rng) if outlet.has_author else None
    url = _url(rng, outlet, pub_day, title, index)
    return Article(index, outlet, pub, manifest_precision, title, author, url, text_paragraphs,
                   facts, dominant, words, primary.id)


def _fact_blocks(rng: random.Random, writer: FactWriter, spec: Spec, n: int, pub_day: dt.date,
                 lead: bool) -> list[list[Sentence]]:
    """Blocks of consecutive sentences about one initiative: an optional intro, then facts.

    The first fact after an intro may use a back-reference ('It', 'the forum'); the intro is
    its antecedent, so a careful reader resolves it without doubt.
    """
    happenings = available(spec, pub_day)
    chosen = rng.sample(happenings, min(n, len(happenings)))
    sentences: list[Sentence] = []
    for h in chosen:
        if h.event_type == "joined" and h.ordinal and rng.random() < 0.4:
            sentences.append(writer.joined_with_count(spec, h))
        else:
            sentences.append(writer.event(spec, h))
    by_type = {h.event_type: h for h in happenings}
    if "proposed" in by_type and "first_held" in by_type and spec.edition == "summit" and \
            rng.random() < 0.3:
        sentences.append(writer.proposed_then_first(spec, by_type["proposed"],
                                                    by_type["first_held"]))
    if "proposed" in by_type and "founded" in by_type and rng.random() < 0.3:
        sentences.append(writer.proposed_then_founded(spec, by_type["proposed"],
                                                      by_type["founded"]))
    if "first_held" in by_type and spec.members.get("member_states") and \
            spec.edition == "summit" and rng.random() < 0.2:
        extra = writer.first_with_count(spec, by_type["first_held"])
        if extra:
            sentences.append(extra)
    if spec.members and (lead or rng.random() < 0.3):
        for _ in range(rng.randint(1, 2) if lead else 1):
            kind = rng.choices(("member_states", "observer_states", "grown"), (6, 2, 2))[0]
            if "member_states_ratified" in spec.members:  # treaties count ratifications
                extra = writer.membership(spec, "member_states_ratified")
            elif kind == "grown":
                extra = writer.grown(spec)
            else:
                extra = writer.membership(spec, kind)
            if extra:
                sentences.append(extra)
    rng.shuffle(sentences)
    blocks: list[list[Sentence]] = []
    i = 0
    while i < len(sentences):
        size = rng.randint(1, 3)
        block = sentences[i:i + size]
        i += size
        if spec.intro_ok and rng.random() < 0.55:
            intro, _ = writer.intro(spec)
            first = block[0]
            if rng.random() < 0.45 and first.facts and first.facts[0][0] == "event":
                h = _happening_of(spec, first)
                if h is not None:
                    block[0] = writer.event(spec, h, backref=writer.backref(spec, h))
            elif rng.random() < 0.25 and first.facts and first.facts[0][0] == "membership" and \
                    len(first.facts) == 1 and first.facts[0][2] == "member_states" and \
                    first.facts[0][4] is not None and first.facts[0][4] == writer.pub.year:
                again = writer.membership(spec, "member_states", backref="It")
                if again is not None and again.facts == first.facts:
                    block[0] = again
            block = [intro, *block]
        blocks.append(block)
    return blocks


def _happening_of(spec: Spec, sentence: Sentence) -> Happening | None:
    """The happening a single-event sentence reported (to rewrite it with a back-reference)."""
    if len(sentence.facts) != 1:
        return None
    _, _, event_type, year = sentence.facts[0]
    for h in spec.happenings:
        if h.event_type == event_type and h.year == year:
            return h
    return None


def _arrange(rng: random.Random, prose: Prose, lede: list[Sentence],
             blocks: list[list[Sentence]], extras: list[Sentence],
             target: int) -> list[list[Sentence]]:
    """Paragraphs: the lede, then fact blocks between paragraphs of prose, up to `target` words.

    Mentions and distractors go inside prose paragraphs, never right before a fact block (so
    a back-reference's antecedent is always the block's own intro).
    """
    def filler() -> Sentence:
        return Sentence(prose.sentence(), (), "prose")

    paragraphs: list[list[Sentence]] = []
    first = list(lede) or []
    first += [filler() for _ in range(rng.randint(1, 2))]
    paragraphs.append(first)
    blocks = [[*block, *(filler() for _ in range(rng.randint(0, 2)))] for block in blocks]
    used = sum(s.text.count(" ") + 1 for group in (first, *blocks, extras) for s in group)
    budget = target - used
    # prose paragraphs to spread between the blocks, one sentence at a time up to the target
    prose_paragraphs: list[list[Sentence]] = []
    size = 0
    while budget > 0:
        if not prose_paragraphs or len(prose_paragraphs[-1]) >= size:
            prose_paragraphs.append([])
            size = rng.randint(2, 5)
        sentence = filler()
        prose_paragraphs[-1].append(sentence)
        budget -= sentence.text.count(" ") + 1
    for sentence in extras:
        if not prose_paragraphs:
            prose_paragraphs.append([filler()])
        paragraph = rng.choice(prose_paragraphs)
        paragraph.insert(rng.randint(0, len(paragraph) - 1), sentence)
    slots = len(blocks) + len(prose_paragraphs)
    order = ["block"] * len(blocks) + ["prose"] * len(prose_paragraphs)
    rng.shuffle(order)
    b = p = 0
    for item in order[:slots]:
        if item == "block":
            paragraphs.append(blocks[b])
            b += 1
        else:
            paragraphs.append(prose_paragraphs[p])
            p += 1
    return paragraphs


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80]


def _url(rng: random.Random, outlet: Outlet, day: dt.date, title: str, index: int) -> str:
    slug = _slug(title)
    token = hashlib.sha1(f"{index}".encode()).hexdigest()[:12]
    if outlet.key == "wire":
        return f"https://{outlet.domain}/{day:%Y%m%d}/{token}.html"
    if outlet.key == "brief":
        return f"https://{outlet.domain}/p/issue-{index % 400 + 1}-{slug[:40]}"
    if outlet.key in ("herald", "insight"):
        return f"https://{outlet.domain}/{day:%Y/%m/%d}/{slug}/"
    if outlet.key == "mfa":
        return f"https://www.{outlet.domain}/memleket/entities/mfa/press/news/details/{token}"
    if outlet.key == "monitor":
        return f"https://{outlet.domain}/analysis/{slug}"
    return f"https://{outlet.domain}/news/{slug}-{token[:6]}"


# --- rendering ------------------------------------------------------------------------------------


def _date_long(day: dt.date, us: bool) -> str:
    return f"{MONTH_NAMES[day.month]} {day.day}, {day.year}" if us else \
        f"{day.day} {MONTH_NAMES[day.month]} {day.year}"


def _quotes(text: str, curly: bool) -> str:
    if curly:
        return text
    return text.replace("“", '"').replace("”", '"').replace("’", "'")


def _wrap(text: str, width: int = 72) -> list[str]:
    """Greedy hard wrap (the newsletter's plain-text e-mail)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def render(article: Article, variant: str = "") -> str:
    """The file text of an article in its outlet's house style.

    `variant` changes only whitespace ('whitespace') or the letter case of one body paragraph
    ('case'): the ETL should still see the same article.
    """
    rng = random.Random(f"render:{article.index}")
    outlet = article.outlet
    paragraphs = [" ".join(p) for p in article.paragraphs]
    paragraphs = [_quotes(p, outlet.curly) for p in paragraphs]
    variant_rng = random.Random(f"variant:{article.index}")  # never shifts `rng`'s draws
    if variant == "case" and len(paragraphs) > 3:
        i = len(paragraphs) // 2 + 1
        paragraphs[i] = (paragraphs[i].upper() if variant_rng.random() < 0.5
                         else paragraphs[i].lower())
    day = article.pub.true
    title = article.title
    key = outlet.key
    if key == "herald":
        text = _herald(article, paragraphs, rng)
    elif key == "wire":
        city = rng.choice(("ASTANA", "ASTANA", "ALMATY", "TASHKENT", "BAKU", "BISHKEK"))
        if city == "ASTANA" and capital_name(day) == "Nur-Sultan":
            city = "NUR-SULTAN"
        month = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.",
                 "Oct.", "Nov.", "Dec.")[day.month - 1]
        paragraphs[0] = f"{city}, {month} {day.day} (CAW) -- {paragraphs[0]}"
        text = f"SOURCE: {article.url}\n\n{title}\n\n" + "\n\n".join(paragraphs) + "\n"
    elif key == "brief":
        text = _brief(article, paragraphs, rng)
    elif key in ("review", "monitor"):
        text = _markdown(article, paragraphs, rng)
    elif key == "mfa":
        place = "Astana" if capital_name(day) == "Astana" else "Nur-Sultan"
        paragraphs[0] = f"{place}, {_date_long(day, False)} – {paragraphs[0]}"
        text = ("Press release\n\n" + title + "\n\n" + "\n\n".join(paragraphs) +
                "\n\nPress Service of the Ministry of Foreign Affairs of the Republic of "
                "Kazakhstan\n")
    elif key == "observer":
        standfirst = rng.choice((
            "Astana has been a prolific inventor of multilateral formats. Now it has to show "
            "that they deliver.",
            "A middle power with big ideas faces a crowded calendar.",
            "The region is watching closely, and so are the great powers.",
        ))
        bio = _prose(rng).bio(article.author or "")
        text = (f"{title}\n\n{standfirst}\n\nBy {article.author}\n{_date_long(day, True)}\n\n" +
                "\n\n".join(paragraphs) + f"\n\n{bio}\n")
    elif key == "qdn":
        paragraphs[0] = f"ASTANA. QDN – {paragraphs[0]}"
        stamp = f"{day.day:02d} {MONTH_NAMES[day.month]} {day.year}, {rng.randint(8, 21)}:" \
                f"{rng.randint(0, 59):02d}"
        text = f"{title}\n\n{stamp}\n\n" + "\n\n".join(paragraphs) + "\n"
    elif key == "insight":
        text = _html(article, paragraphs, rng)
    elif key == "nomad":
        text = (f"{title}\nPublished: {_date_long(day, False)}\n\n" + "\n\n".join(paragraphs) +
                "\n\nShare this:\nFacebook\nTwitter\nTelegram\n")
    else:  # silkroad: headline and body only
        text = f"{title}\n\n" + "\n\n".join(paragraphs) + "\n"
    if variant == "whitespace":
        text = _whitespace_variant(text, variant_rng)
    return text


def _prose(rng: random.Random) -> Prose:
    """Prose for page furniture (teasers, headings, bios): every theme alike."""
    return Prose(rng, list(THEMES), [1.0] * len(THEMES), "Astana")


def _herald(article: Article, paragraphs: list[str], rng: random.Random) -> str:
    section = rng.choice(SECTIONS)
    day = article.pub.true
    teaser = _prose(rng)
    teasers = [teaser.headline(rng.choice(("Kazakhstan", "Astana", "The region")))
               for _ in range(2)]
    tags = ", ".join(rng.sample(("diplomacy", "Astana", "Central Asia", "security", "economy",
                                 "foreign policy"), 3))
    head = ("Skip to content\nMenu\nHome\nNation\nPolitics\nBusiness\nOpinion\nSearch\n\n"
            f"{section}\n\n{article.title}\n\n"
            f"By {article.author} in {section} on {_date_long(day, False)}\n\n"
            "Share this article\nFacebook Twitter LinkedIn Telegram\n\n")
    tail = (f"\n\nTags: {tags}\n\nRelated\n{teasers[0]}\n{teasers[1]}\n\n"
            f"© {day.year} Steppe Herald. All rights reserved.\nPrivacy Policy\n")
    return head + "\n\n".join(paragraphs) + tail


def _brief(article: Article, paragraphs: list[str], rng: random.Random) -> str:
    day = article.pub.true
    issue = article.index % 400 + 1
    lines = [f"SOURCE: {article.url}", "", "EURASIA BRIEF", f"Issue {issue} -- "
             f"{_date_long(day, False)}", "", article.title, ""]
    lines += _wrap("Hello and welcome back. This issue is about diplomacy, money and the "
                   "region's many summits. As always, reply to this email if you think we got "
                   "something wrong.")
    lines.append("")
    section = 1
    prose = _prose(rng)
    for i, paragraph in enumerate(paragraphs):
        if i % 3 == 0:
            heading = prose.subhead()
            lines += [f"{section}. {heading.upper()}", ""]
            section += 1
        lines += _wrap(paragraph)
        lines.append("")
    lines += ["That's all for this week. See you next time.", ""]
    return "\n".join(lines)


def _markdown(article: Article, paragraphs: list[str], rng: random.Random) -> str:
    day = article.pub.true
    outlet = article.outlet
    published = f"{day:%Y-%m}" if outlet.visible_date == "month" else f"{day:%Y-%m-%d}"
    front = ["---", f"title: {json.dumps(article.title)}", f"outlet: {json.dumps(outlet.name)}"]
    if article.author:
        front.append(f"author: {json.dumps(article.author)}")
    front.append(f"published: {published}" if outlet.visible_date == "day"
                 else f'published: "{published}"')
    if outlet.key == "review":
        front.append(f"url: {json.dumps(article.url)}")
    front.append("---")
    body = [f"# {article.title}", ""]
    prose = _prose(rng)
    for i, paragraph in enumerate(paragraphs):
        if i and i % 4 == 0:
            body += [f"## {prose.subhead()}", ""]
        body += [paragraph, ""]
    return "\n".join(front) + "\n\n" + "\n".join(body)


def _html(article: Article, paragraphs: list[str], rng: random.Random) -> str:
    day = article.pub.true
    esc = html.escape
    outlet = article.outlet
    body = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    teaser = _prose(rng)
    related = "\n".join(f'<li><a href="/news/{i}">{esc(teaser.headline("Kazakhstan"))}</a></li>'
                        for i in range(3))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(article.title)} | {esc(outlet.name)}</title>
<meta property="og:title" content="{esc(article.title)}">
<meta property="og:site_name" content="{esc(outlet.name)}">
<meta name="author" content="{esc(article.author or '')}">
<meta property="article:published_time" content="{day:%Y-%m-%d}T09:00:00+05:00">
<link rel="canonical" href="{esc(article.url or '')}">
</head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/region">Region</a></li>
<li><a href="/politics">Politics</a></li><li><a href="/economy">Economy</a></li></ul></nav>
</header>
<main>
<article>
<h1>{esc(article.title)}</h1>
<p class="byline">By {esc(article.author or outlet.name)}</p>
<time datetime="{day:%Y-%m-%d}">{_date_long(day, True)}</time>
{body}
</article>
<aside><h3>Related stories</h3><ul>
{related}
</ul></aside>
</main>
<footer><p>&copy; {day.year} {esc(outlet.name)}. All rights reserved.</p>
<p><a href="/privacy">Privacy Policy</a> | <a href="/terms">Terms of Use</a></p></footer>
</body>
</html>
"""


def _whitespace_variant(text: str, rng: random.Random) -> str:
    """The same text with trailing spaces, doubled blank lines or CRLF line ends."""
    lines = text.split("\n")
    out = []
    for line in lines:
        if line and rng.random() < 0.3:
            line += " " * rng.randint(1, 3)
        out.append(line)
        if not line and rng.random() < 0.3:
            out.append("")
    text = "\n".join(out)
    if rng.random() < 0.5:
        text = text.replace("\n", "\r\n")
    return text


# --- slots: files, manifest rows and truth ----------------------------------------------


@dataclass
class SlotResult:
    """What generating one slot produced (the main process writes manifest and truth)."""

    index: int
    name: str
    truth: str  # one JSON line
    manifest_row: list[str] | None
    words: int
    size: int  # bytes written (0 for a missing file)
    role: str  # normal | duplicate | <bad kind>


def _manifest_row(article: Article, name: str) -> list[str] | None:
    if article.manifest_precision is None:
        return None
    day = article.pub.true
    precision = article.manifest_precision
    published = {"day": f"{day:%Y-%m-%d}", "month": f"{day:%Y-%m}", "year": f"{day:%Y}"}[
        precision]
    note = {"day": "Date on the outlet's page", "month": "Month from the outlet's archive",
            "year": "Year only: the page shows no date"}[precision]
    return [name, article.title, article.outlet.name, article.author or "", article.url or "",
            published, precision, note]


def _known_published(article: Article) -> str | None:
    pub = article.pub
    if pub.known is None:
        return None
    day = pub.true
    return {"day": f"{day:%Y-%m-%d}", "month": f"{day:%Y-%m}", "year": f"{day:%Y}"}[pub.known]


def _truth(article: Article, name: str, *, duplicate_of: str | None = None,
           bad: str | None = None, expect: str = "load", encoding: str | None = "utf-8",
           variant: str | None = None) -> str:
    """The truth record of one slot, as a JSON line (see the module docstring)."""
    events: dict[tuple, dict] = {}
    members: dict[tuple, dict] = {}
    for fact, sentence in article.facts:
        if fact[0] == "event":
            events.setdefault(fact[1:], {"initiative_id": fact[1], "event_type": fact[2],
                                         "year": fact[3], "sentence": sentence})
        else:
            members.setdefault(fact[1:], {"initiative_id": fact[1], "kind": fact[2],
                                          "count": fact[3], "year": fact[4],
                                          "sentence": sentence})
    record = {
        "file": name, "title": article.title, "outlet": article.outlet.name,
        "published": _known_published(article), "format": article.outlet.ext,
        "words": article.words, "primary": article.primary,
        "events": list(events.values()), "memberships": list(members.values()),
        "themes": article.themes, "duplicate_of": duplicate_of,
        "duplicate_variant": variant, "bad": bad, "expect": expect,
        "encoding": encoding if expect != "error" else None,
    }
    return json.dumps(record, ensure_ascii=False)


def _encode(text: str) -> bytes:
    return text.encode("utf-8")


def generate_slot(options: Options, index: int, out_dir: Path) -> SlotResult:
    """Generate slot `index`: write its file (if any) and return its manifest row and truth."""
    ctx = context()
    role = role_of(options, index)
    if role.kind == "duplicate":
        assert role.original is not None
        original = compose(options, role.original, ctx)
        original_name = file_name(role.original, original.outlet.ext)
        name = file_name(index, original.outlet.ext)
        variant = role.detail if original.outlet.ext in ("txt", "md") else "exact"
        data = _encode(render(original, "" if variant == "exact" else variant))
        (out_dir / name).write_bytes(data)
        row = _manifest_row(original, name)
        truth = _truth(original, name, duplicate_of=original_name, expect="duplicate",
                       variant=variant)
        return SlotResult(index, name, truth, row, original.words, len(data), "duplicate")
    article = compose(options, index, ctx)
    name = file_name(index, article.outlet.ext)
    if role.kind == "normal":
        data = _encode(render(article))
        (out_dir / name).write_bytes(data)
        return SlotResult(index, name, _truth(article, name), _manifest_row(article, name),
                          article.words, len(data), "normal")
    return _bad_slot(options, role.detail, article, index, out_dir)


def _bad_slot(options: Options, kind: str, article: Article, index: int,
              out_dir: Path) -> SlotResult:
    """A bad file: what it holds, and the truth saying what the ETL should do with it."""
    rng = random.Random(f"{options.seed}:{index}:bad")
    ext = "txt"
    if kind == "cp1251":
        if article.outlet.ext != "txt":
            article.outlet = OUTLETS[0]
        russian = " ".join(rng.sample(RUSSIAN_SENTENCES, 3))
        article.paragraphs.insert(min(3, len(article.paragraphs)), [f"«{russian}»"])
        name = file_name(index, "txt")
        data = render(article).encode("cp1251")
        (out_dir / name).write_bytes(data)
        truth = _truth(article, name, bad="cp1251", expect="load", encoding="cp1251")
        return SlotResult(index, name, truth, _manifest_row(article, name), article.words,
                          len(data), "cp1251")
    if kind == "binary":
        ext = rng.choice(("txt", "md"))
        header = rng.choice((b"\x89PNG\r\n\x1a\n", b"%PDF-1.4\n", b"PK\x03\x04", b"\x00\x01"))
        data = header + rng.randbytes(rng.randint(2_000, 60_000))
    elif kind == "empty":
        data = b""
    elif kind == "whitespace":
        data = b" \n\n\t \n  \n"
    elif kind == "oversized":
        unit = _encode(render(article))
        data = unit * (options.max_file_bytes // len(unit) + 1)
    else:  # missing_file: a manifest row, no file
        name = file_name(index, "txt")
        article.manifest_precision = article.manifest_precision or "day"
        truth = _truth(article, name, bad="missing_file", expect="error")
        record = json.loads(truth)
        record.update(events=[], memberships=[], words=0)
        return SlotResult(index, name, json.dumps(record, ensure_ascii=False),
                          _manifest_row(article, name), 0, 0, "missing_file")
    name = file_name(index, ext)
    (out_dir / name).write_bytes(data)
    record = json.loads(_truth(article, name, bad=kind, expect="error"))
    record.update(events=[], memberships=[], words=0, themes=[], format=ext)
    row = _manifest_row(article, name) if kind != "oversized" else None
    return SlotResult(index, name, json.dumps(record, ensure_ascii=False), row, 0, len(data),
                      kind)


def _generate_range(job: tuple[Options, int, int, str]) -> list[SlotResult]:
    options, start, stop, out = job
    out_dir = Path(out)
    return [generate_slot(options, i, out_dir) for i in range(start, stop)]


# --- the whole corpus ----------------------------------------------------------------------

_SLOT_NAME = re.compile(rf"^g(\d{{{NAME_DIGITS}}})\.[a-z]+$")


def generate(options: Options, out: Path, workers: int = 0,
             chunk: int = 500) -> dict[str, object]:
    """Write the corpus into `out` (see the module docstring); returns the summary."""
    articles_dir = out / "articles"
    articles_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(options, start, min(start + chunk, options.articles), str(articles_dir))
            for start in range(0, options.articles, chunk)]
    workers = workers or os.cpu_count() or 1
    counts: dict[str, int] = {}
    written: set[str] = set()
    words = size = 0
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    with open(out / "truth.jsonl", "w", encoding="utf-8", newline="\n") as truth:
        for results in _run(jobs, workers):
            for slot in results:
                truth.write(slot.truth + "\n")
                if slot.manifest_row is not None:
                    writer.writerow(slot.manifest_row)
                counts[slot.role] = counts.get(slot.role, 0) + 1
                if slot.size or slot.role == "empty":
                    written.add(slot.name)
                words += slot.words
                size += slot.size
    for path in articles_dir.iterdir():  # slot files of an earlier run that this one lacks
        if _SLOT_NAME.match(path.name) and path.name not in written:
            path.unlink()
    manifest_bytes = manifest.getvalue().encode("utf-8")
    (articles_dir / "manifest.csv").write_bytes(manifest_bytes)
    summary = {
        "generator_version": GENERATOR_VERSION,
        "seed": options.seed,
        "articles": options.articles,
        "files": options.articles - counts.get("missing_file", 0),
        "words": words,
        "bytes": size + len(manifest_bytes),
        "duplicates": counts.get("duplicate", 0),
        "bad_files": {k: v for k, v in sorted(counts.items())
                      if k not in ("normal", "duplicate")},
        "options": {"dup_rate": options.dup_rate, "bad_rate": options.bad_rate,
                    "oversized_rate": options.oversized_rate,
                    "max_file_bytes": options.max_file_bytes},
        "reference_hash": context().reference_hash,
    }
    (out / "corpus.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _run(jobs: list[tuple[Options, int, int, str]], workers: int) -> Iterator[list[SlotResult]]:
    """Results of the jobs in order, from a pool of `workers` processes (or in this one)."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield _generate_range(job)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(workers, initializer=context) as pool:
        yield from pool.imap(_generate_range, jobs)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, required=True, help="number of article slots")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--out", type=Path, required=True,
                        help="output folder (gets articles/, truth.jsonl, corpus.json)")
    parser.add_argument("--workers", type=int, default=0, help="processes (0: one per core)")
    parser.add_argument("--dup-rate", type=float, default=Options.dup_rate,
                        help="share of slots that duplicate an earlier article (default: 0.01)")
    parser.add_argument("--bad-rate", type=float, default=Options.bad_rate,
                        help="share of empty, binary, cp1251 and missing files (default: 0.002)")
    parser.add_argument("--oversized-rate", type=float, default=Options.oversized_rate,
                        help="share of oversized files (default: 1 in 25,000)")
    parser.add_argument("--max-file-bytes", type=int, default=ETL_DEFAULT_MAX_FILE_BYTES,
                        help="the ETL limit oversized files exceed (default: the ETL's default)")
    args = parser.parse_args(argv)
    options = Options(args.articles, args.seed, args.dup_rate, args.bad_rate,
                      args.oversized_rate, args.max_file_bytes)
    started = time.perf_counter()
    summary = generate(options, args.out, args.workers)
    elapsed = time.perf_counter() - started
    print(json.dumps(summary, indent=2))
    print(f"generated {options.articles} slots in {elapsed:.1f} s "
          f"({options.articles / elapsed:,.0f} articles/s, "
          f"{summary['bytes'] / elapsed / 1e6:,.1f} MB/s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
