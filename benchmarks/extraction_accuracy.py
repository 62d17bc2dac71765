"""Extraction accuracy on real and hand-keyed text: build warehouses with the real ETL, score them.

    python -m benchmarks.extraction_accuracy                 # every key it finds (make accuracy)
    python -m benchmarks.extraction_accuracy --keys seed,devset --examples 0

For each key set it finds, the ETL (`python -m etl`, the command an analyst runs) builds a
warehouse in a scratch folder, and the warehouse's `events` and `memberships` are scored with the
rules of the project's judging scorer:

* (a) events on initiative + year (lenient),
* (b) events on initiative + event type group + year, matched one-to-one (strict),
* (c) membership figures on initiative + kind class (member / observer / partner) + count + year.

Recall counts required key records; precision counts a prediction as right when it matches any
key record (required or optional) of its article. Each miss and false positive is listed under the
cause it most likely has (initiative never found, found but not in the key sentence, date missing
or wrong, type wrong, ...), so work goes to classes of misses, not to single sentences.

Key sets: `seed` (the shipped articles and `tests/fixtures/seed_truth.json`), `holdout` and
`fresh` (hand-written articles under `tests/fixtures/holdout/`), and `devset`: passages rewritten
from real reports, read at run time from `../shared/devset/` when that folder exists (its texts
never enter the repository). For the dev set the judging scorer's own `score.py` also runs on the
same warehouse and its summary line is printed, and its initiative patterns decide which warehouse
initiative matches a key id (the dev-set key uses ids of its own); the project's keys use the
gazetteer's ids, matched exactly.

With `--corrections DIR` every warehouse is built with that corrections folder applied
(docs/corrections.md) and scored twice: the machine's reading (`events`, `memberships`, what
the judging scorer reads) and the curated record analysts stand behind (`curated_events`,
`curated_memberships`), so a team sees how much its curation changed.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DEVSET = ROOT.parent / "shared" / "devset"

# the judging scorer's event type groups: types in one group count as the same type
TYPE_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"held", "first_held"}), frozenset({"founded", "launched", "opened", "started"}),
    frozenset({"approved", "signed"}), frozenset({"joined"}), frozenset({"observer_joined"}),
    frozenset({"proposed"}), frozenset({"announced"}), frozenset({"chairmanship"}),
    frozenset({"elected"}), frozenset({"period"}), frozenset({"scheduled"}))

InitiativeMatch = Callable[[str, str], bool]


@dataclass(frozen=True)
class KeySet:
    """One folder of articles and the answer key for it."""

    name: str
    articles: Path
    key: Path
    prepare: Path | None = None  # a script that writes the folder (the dev set's prepare.py)
    scorer: Path | None = None  # the judging scorer, run on the same warehouse when present


@dataclass
class Measure:
    """Precision and recall of one measure, with its misses and false positives by cause."""

    required: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0
    misses: Counter[str] = field(default_factory=Counter)
    false_positives: Counter[str] = field(default_factory=Counter)
    miss_examples: dict[str, list[str]] = field(default_factory=dict)
    fp_examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return self.found / self.required if self.required else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    def miss(self, cause: str, example: str) -> None:
        self.misses[cause] += 1
        self.miss_examples.setdefault(cause, []).append(example)

    def false_positive(self, cause: str, example: str) -> None:
        self.false_positives[cause] += 1
        self.fp_examples.setdefault(cause, []).append(example)


def key_sets(devset: Path = DEVSET) -> list[KeySet]:
    """The key sets present on this machine, the dev set only when its folder exists."""
    sets = [
        KeySet("seed", ROOT / "data" / "articles", FIXTURES / "seed_truth.json"),
        KeySet("holdout", FIXTURES / "holdout", FIXTURES / "holdout" / "key.json"),
        KeySet("fresh", FIXTURES / "holdout" / "fresh",
               FIXTURES / "holdout" / "fresh" / "key.json"),
    ]
    if (devset / "key.json").is_file() and (devset / "prepare.py").is_file():
        sets.append(KeySet("devset", devset / "texts", devset / "key.json",
                           prepare=devset / "prepare.py", scorer=devset / "score.py"))
    return sets


def norm(text: str) -> str:
    """Lower-case text with quotes straightened and whitespace runs collapsed (as the scorer)."""
    text = text.replace("\u00a0", " ").replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def kind_class(kind: str | None) -> str:
    """member / observer / partner: the class a membership kind is scored in."""
    k = (kind or "").lower()
    if "observer" in k:
        return "observer"
    if "partner" in k:
        return "partner"
    return "member"


def same_type(a: str | None, b: str | None) -> bool:
    """Whether two event types fall in one of the scorer's type groups."""
    a, b = (a or "").lower(), (b or "").lower()
    return a == b or any(a in group and b in group for group in TYPE_GROUPS)


def key_year(date: Mapping[str, Any] | None) -> int | None:
    """A key date's year, unless it can only be known from outside the text."""
    if not date or str(date.get("basis", "")).startswith("external_knowledge"):
        return None
    year = date.get("year")
    return int(year) if year else None


def event_year(record: Mapping[str, Any]) -> int | None:
    """The year a key event should carry: resolved, else as the sentence states it."""
    return key_year(record.get("resolved_date")) or key_year(record.get("text_date"))


def event_years(record: Mapping[str, Any]) -> set[int]:
    """Every year a prediction of this key event may carry (start or end, stated or resolved)."""
    years: set[int] = set()
    for name in ("text_date", "resolved_date"):
        date = record.get(name) or {}
        for part in (date, date.get("end") or {}):
            if isinstance(part, dict) and part.get("year"):
                years.add(int(part["year"]))
    end = record.get("end") or {}
    if isinstance(end, dict) and end.get("year"):
        years.add(int(end["year"]))
    return years


def load_scorer_patterns(scorer: Path | None) -> dict[str, str]:
    """The judging scorer's initiative patterns (key id -> regex), read from its file when run."""
    if scorer is None or not scorer.is_file():
        return {}
    spec = importlib.util.spec_from_file_location("_judging_scorer", scorer)
    if spec is None or spec.loader is None:
        return {}
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(getattr(module, "INITIATIVE_PATTERNS", {}))


def initiative_matcher(con: duckdb.DuckDBPyConnection,
                       patterns: Mapping[str, str]) -> InitiativeMatch:
    """key id, warehouse id -> match: the key's pattern over name + acronym + id, else equality."""
    rows = con.execute("SELECT initiative_id, coalesce(name, ''), coalesce(acronym, '') "
                       "FROM initiatives").fetchall()
    labels = {i: norm(f"{n} {a} {i}") for i, n, a in rows}

    def matches(key_id: str, warehouse_id: str) -> bool:
        pattern = patterns.get(key_id)
        if pattern is None:
            return key_id == warehouse_id
        return re.search(pattern, labels.get(warehouse_id, norm(warehouse_id))) is not None

    return matches


def build(keys: KeySet, scratch: Path, corrections: Path | None = None) -> Path:
    """Build a warehouse from the key set's articles with the real ETL (applying the
    corrections folder, if given); returns the DuckDB path."""
    folder = scratch / keys.name / "articles"
    if keys.prepare is not None:
        subprocess.run([sys.executable, str(keys.prepare), str(folder)], check=True,
                       stdout=subprocess.DEVNULL)
    else:
        folder.mkdir(parents=True)
        for path in keys.articles.iterdir():
            if path.is_file() and path.name != "key.json":
                shutil.copy2(path, folder / path.name)
    db = scratch / keys.name / "warehouse.duckdb"
    # an empty corrections folder of its own unless one is given: never the project's own
    folder_of_corrections = corrections or scratch / keys.name / "corrections"
    subprocess.run([sys.executable, "-m", "etl", "--articles", str(folder), "--db", str(db),
                    "--corrections", str(folder_of_corrections), "--quiet"], check=True, cwd=ROOT)
    return db


def match_documents(con: duckdb.DuckDBPyConnection, documents: Mapping[str, Any]) -> dict[str, str]:
    """Key document -> warehouse article: by file name, else by the key sentences its text holds."""
    rows = con.execute("SELECT article_id, source_file, text FROM articles").fetchall()
    by_file = {source_file: article_id for article_id, source_file, _ in rows}
    texts = {article_id: norm(text or "") for article_id, _, text in rows}
    matched: dict[str, str] = {}
    for name, doc in documents.items():
        if name in by_file:
            matched[name] = by_file[name]
            continue
        sentences = [norm(r.get("sentence_normalised") or r.get("sentence") or "")[:120]
                     for r in doc.get("events", []) + doc.get("membership_figures", [])
                     + doc.get("undated_mentions", [])]
        sentences = [s for s in sentences if len(s) > 40]
        best, best_hits = None, 0
        for article_id, text in texts.items():
            hits = sum(1 for s in sentences if s in text)
            if hits > best_hits:
                best, best_hits = article_id, hits
        if best is not None and best_hits >= max(1, len(sentences) // 3):
            matched[name] = best
    return matched


@dataclass(frozen=True)
class _Article:
    """What the warehouse holds for one article: events, figures, and where initiatives appear."""

    events: list[tuple[str, str, int, int]]  # initiative, type, year, sentence_no
    figures: list[tuple[str, str, int, int | None, int]]  # initiative, kind, count, year, sentence
    mentioned: set[str]
    sentences: dict[int, str]  # sentence_no -> normalised text
    mentions_by_sentence: dict[int, set[str]]


# The tables scored: the machine's reading, or the curated record (corrections applied).
FACT_TABLES = {False: ("events", "memberships"), True: ("curated_events", "curated_memberships")}


def _article(con: duckdb.DuckDBPyConnection, article_id: str, curated: bool = False) -> _Article:
    """Read one article's facts back from the warehouse (the curated ones, if asked)."""
    events_table, figures_table = FACT_TABLES[curated]
    events = con.execute(  # one of two constant table names
        f"SELECT initiative_id, event_type, year, sentence_no FROM {events_table} "  # noqa: S608
        "WHERE article_id = ? ORDER BY sentence_no", [article_id]).fetchall()
    figures = con.execute(
        f"SELECT initiative_id, kind, count, year, sentence_no FROM {figures_table} "  # noqa: S608
        "WHERE article_id = ? ORDER BY sentence_no", [article_id]).fetchall()
    mentions = con.execute("SELECT sentence_no, initiative_id FROM mentions WHERE article_id = ?",
                           [article_id]).fetchall()
    sentences = con.execute("SELECT sentence_no, text FROM sentences WHERE article_id = ?",
                            [article_id]).fetchall()
    by_sentence: dict[int, set[str]] = {}
    for sentence_no, initiative in mentions:
        by_sentence.setdefault(sentence_no, set()).add(initiative)
    return _Article(events=[tuple(e) for e in events], figures=[tuple(f) for f in figures],
                    mentioned={i for _, i in mentions},
                    sentences={n: norm(t) for n, t in sentences}, mentions_by_sentence=by_sentence)


def _key_sentences(record: Mapping[str, Any], article: _Article) -> set[int]:
    """The warehouse sentences that hold the key record's evidence sentence(s)."""
    quoted = [record] + list(record.get("also_evidenced_by") or [])
    wanted = [norm(q.get("sentence_normalised") or q.get("sentence") or "") for q in quoted]
    found: set[int] = set()
    for number, text in article.sentences.items():
        for sentence in wanted:
            probe = sentence[:60]
            if probe and (probe in text or text[:60] in sentence):
                found.add(number)
    return found


def _event_miss_cause(record: Mapping[str, Any], year: int, article: _Article,
                      matches: InitiativeMatch) -> str:
    """Why a key event has no prediction: the first thing in the chain that went wrong."""
    initiative = record["initiative"]
    if not any(matches(initiative, i) for i in article.mentioned):
        return "initiative never found in the article"
    sentences = _key_sentences(record, article)
    in_sentence = [e for e in article.events if e[3] in sentences and matches(initiative, e[0])]
    if sentences and not any(matches(initiative, i) for n in sentences
                             for i in article.mentions_by_sentence.get(n, ())):
        return "initiative not found in the key sentence (reference across sentences?)"
    same_year = [e for e in article.events if matches(initiative, e[0]) and e[2] == year]
    if same_year:
        return "event found with another type"
    if in_sentence:
        return "event in the key sentence has another year"
    return "no event from the key sentence (date or trigger missing)"


def _event_fp_cause(event: tuple[str, str, int, int], truth: Sequence[Mapping[str, Any]],
                    matches: InitiativeMatch) -> str:
    """Why a predicted event matches no key record."""
    initiative, event_type, year, _ = event
    of_initiative = [r for r in truth if matches(r["initiative"], initiative)]
    if not of_initiative:
        return "initiative has no event in the key"
    if any(year in event_years(r) for r in of_initiative):
        return "type differs from the key"
    return "year not in the key for this initiative (distractor date?)"


def score_events(truth: Sequence[Mapping[str, Any]], article: _Article, matches: InitiativeMatch,
                 label: str, lenient: Measure, strict: Measure) -> None:
    """Add one article's events to the lenient and the strict measure (the scorer's rules)."""
    used: set[int] = set()
    for record in truth:
        year = event_year(record)
        if not record.get("required") or year is None:
            continue
        initiative, event_type = record["initiative"], record.get("event_type")
        where = f"{label} {initiative} {event_type} {year}"
        lenient.required += 1
        strict.required += 1
        if any(e[2] == year and matches(initiative, e[0]) for e in article.events):
            lenient.found += 1
        else:
            lenient.miss(_event_miss_cause(record, year, article, matches), where)
        for i, event in enumerate(article.events):
            if i not in used and event[2] == year and same_type(event[1], event_type) \
                    and matches(initiative, event[0]):
                used.add(i)
                strict.found += 1
                break
        else:
            strict.miss(_event_miss_cause(record, year, article, matches), where)
    for event in article.events:
        initiative, event_type, year, sentence_no = event
        where = f"{label} {initiative} {event_type} {year} (sentence {sentence_no})"
        lenient.predicted += 1
        strict.predicted += 1
        if any(year in event_years(r) and matches(r["initiative"], initiative) for r in truth):
            lenient.correct += 1
        else:
            lenient.false_positive(_event_fp_cause(event, truth, matches), where)
        if any(year in event_years(r) and same_type(event_type, r.get("event_type"))
               and matches(r["initiative"], initiative) for r in truth):
            strict.correct += 1
        else:
            strict.false_positive(_event_fp_cause(event, truth, matches), where)


def _figure_matches(record: Mapping[str, Any], figure: tuple[str, str, int, int | None, int],
                    matches: InitiativeMatch) -> bool:
    """Whether a predicted figure is the key record: organisation, kind class, count and year."""
    initiative, kind, count, year, _ = figure
    return (count == record["count"] and year == record.get("reference_year")
            and kind_class(kind) == kind_class(record.get("counted_kind"))
            and matches(record.get("org") or record.get("initiative") or "", initiative))


def _figure_miss_cause(record: Mapping[str, Any], article: _Article,
                       matches: InitiativeMatch) -> str:
    """Why a key figure has no prediction."""
    org = record.get("org") or record.get("initiative") or ""
    same_count = [f for f in article.figures if f[2] == record["count"]]
    if not same_count:
        if not any(matches(org, i) for i in article.mentioned):
            return "organisation never found in the article"
        return "count not read (wording not recognised)"
    if not any(matches(org, f[0]) for f in same_count):
        return "count given to another initiative"
    if not any(kind_class(f[1]) == kind_class(record.get("counted_kind")) for f in same_count):
        return "count read with another kind"
    return "count read with another year"


def _figure_fp_cause(figure: tuple[str, str, int, int | None, int],
                     truth: Sequence[Mapping[str, Any]], non_members: Iterable[Any],
                     matches: InitiativeMatch) -> str:
    """Why a predicted figure matches no key record."""
    count = figure[2]
    if any(str(count) in str(n.get("value", "")) for n in non_members if isinstance(n, Mapping)):
        return "not a membership figure (attendance, votes, ...)"
    same = [r for r in truth if r["count"] == count]
    if not same:
        return "count not in the key"
    if not any(matches(r.get("org") or "", figure[0]) for r in same):
        return "count given to another initiative"
    if not any(r.get("reference_year") == figure[3] for r in same):
        return "year differs from the key"
    return "kind differs from the key"


def score_memberships(doc: Mapping[str, Any], article: _Article, matches: InitiativeMatch,
                      label: str, measure: Measure) -> None:
    """Add one article's membership figures to the measure (the scorer's rules)."""
    truth = doc.get("membership_figures", [])
    for record in truth:
        if not record.get("required", True):
            continue
        measure.required += 1
        if any(_figure_matches(record, f, matches) for f in article.figures):
            measure.found += 1
        else:
            where = (f"{label} {record.get('org')} {record['count']} {record.get('counted_kind')} "
                     f"{record.get('reference_year')}")
            measure.miss(_figure_miss_cause(record, article, matches), where)
    for figure in article.figures:
        measure.predicted += 1
        if any(_figure_matches(r, figure, matches) for r in truth):
            measure.correct += 1
        else:
            initiative, kind, count, year, sentence_no = figure
            where = f"{label} {initiative} {count} {kind} {year} (sentence {sentence_no})"
            measure.false_positive(
                _figure_fp_cause(figure, truth, doc.get("non_membership_numbers", []), matches),
                where)


def score_warehouse(db: Path, key: Path, patterns: Mapping[str, str],
                    curated: bool = False) -> tuple[Measure, Measure, Measure, str]:
    """Score one warehouse against one key: (lenient events, strict events, memberships, docs);
    the machine's reading, or with `curated` the facts as corrected by analysts."""
    documents = json.loads(key.read_text(encoding="utf-8"))["documents"]
    lenient, strict, members = Measure(), Measure(), Measure()
    con = duckdb.connect(str(db), read_only=True)
    try:
        matches = initiative_matcher(con, patterns)
        matched = match_documents(con, documents)
        empty = _Article([], [], set(), {}, {})
        for name, doc in documents.items():
            article = _article(con, matched[name], curated) if name in matched else empty
            label = name.split("_")[0]
            score_events(doc.get("events", []), article, matches, label, lenient, strict)
            score_memberships(doc, article, matches, label, members)
    finally:
        con.close()
    return lenient, strict, members, f"{len(matched)}/{len(documents)}"


def _fmt(measure: Measure) -> str:
    return (f"R={measure.recall:.3f} ({measure.found}/{measure.required}) "
            f"P={measure.precision:.3f} ({measure.correct}/{measure.predicted})")


def report(name: str, measures: tuple[Measure, Measure, Measure, str], examples: int) -> list[str]:
    """The key set's table rows and its misses and false positives grouped by cause."""
    lenient, strict, members, docs = measures
    lines = [f"{name:8} docs {docs:6} | events {_fmt(lenient)} | strict {_fmt(strict)} | "
             f"members {_fmt(members)}"]
    if examples <= 0:
        return lines
    for title, measure in (("strict events", strict), ("membership figures", members)):
        for heading, counts, samples in (("misses", measure.misses, measure.miss_examples),
                                         ("false positives", measure.false_positives,
                                          measure.fp_examples)):
            if not counts:
                continue
            lines.append(f"  {name} {title} {heading}:")
            for cause, count in counts.most_common():
                shown = "; ".join(samples[cause][:examples])
                more = f"; +{count - examples} more" if count > examples else ""
                lines.append(f"    {count:3} {cause}: {shown}{more}")
    return lines


def correction_summary(db: Path) -> str:
    """How many corrections a warehouse applied, by status ('3 current, 1 orphaned')."""
    with duckdb.connect(str(db), read_only=True) as con:
        counts = con.execute("SELECT status, count(*) FROM corrections GROUP BY status "
                             "ORDER BY status").fetchall()
    return "corrections: " + (", ".join(f"{n} {status}" for status, n in counts) or "none")


def judging_line(keys: KeySet, db: Path) -> str | None:
    """The judging scorer's own summary line on the same warehouse, when it is present."""
    if keys.scorer is None or not keys.scorer.is_file():
        return None
    out = subprocess.run([sys.executable, str(keys.scorer), "--db", str(db), "--truth",
                          str(keys.key), "--label", keys.name], check=True, capture_output=True,
                         text=True).stdout
    return out.strip().splitlines()[-1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", default="", help="comma-separated key sets (default: all found)")
    parser.add_argument("--examples", type=int, default=3,
                        help="examples listed per cause (0: the table only)")
    parser.add_argument("--devset", type=Path, default=DEVSET, help="the dev set's folder")
    parser.add_argument("--csv", type=Path, help="also write the table as CSV")
    parser.add_argument("--corrections", type=Path, metavar="DIR",
                        help="apply this corrections folder and score the curated facts too")
    args = parser.parse_args(argv)
    wanted = {k for k in args.keys.split(",") if k}
    sets = [k for k in key_sets(args.devset) if not wanted or k.name in wanted]
    table: list[str] = []
    details: list[str] = []
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="im-accuracy-") as tmp:
        for keys in sets:
            db = build(keys, Path(tmp), args.corrections)
            measures = score_warehouse(db, keys.key, load_scorer_patterns(keys.scorer))
            lines = report(keys.name, measures, args.examples)
            table.append(lines[0])
            details.extend(lines[1:])
            if args.corrections:
                curated = score_warehouse(db, keys.key, load_scorer_patterns(keys.scorer),
                                          curated=True)
                table.append(report(f"{keys.name}+", curated, 0)[0]
                             + f"   ({correction_summary(db)})")
            judged = judging_line(keys, db)
            if judged:
                table.append(f"{'':8} judging scorer: {judged.strip()}")
            lenient, strict, members, _ = measures
            rows.append({"key": keys.name, **{f"{n}_{m}": round(getattr(x, m), 3)
                                              for n, x in (("events", lenient), ("strict", strict),
                                                           ("members", members))
                                              for m in ("recall", "precision")}})
    print("\n".join(details + ([""] if details else []) + table))
    if args.csv and rows:
        with args.csv.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
