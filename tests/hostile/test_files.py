"""Hostile files in the article folder (issue rows 1, 2, 3, 4, 5 and 12): whatever one file
holds, the build reports that file and builds from the rest.

Every file is created by the test in a temporary folder; the readers, the folder listing, the
warehouse and the command line are the real ones. Property-based tests (Hypothesis) feed random
bytes, random Unicode (lone surrogates, bidi controls, NULs), random YAML front matter and random
CSV/JSONL records to the readers: no exception escapes, and every record loads or is reported.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import freshness, sources, stories, warehouse
from etl.errors import SourceError
from etl.limits import FIELD_MAX_CHARS, FRONT_MATTER_MAX_CHARS, YAML_MAX_ALIASES
from etl.model import Problem, SourceRecord
from etl.normalize import clean_text, content_fingerprint
from etl.sources import folder
from etl.sources.formats import ARTICLE_FORMATS, FORMAT_READERS
from etl.sources.formats.records import read_csv, read_jsonl
from etl.sources.formats.text import read_markdown
from etl.sources.metadata import build_record
from tests.conftest import CORPUS_DIR, REFERENCE_DIR, make_settings

LIMIT = 20 * 1024 * 1024
GOOD = "Kazakhstan proposed CICA, an Asian security forum, in 1992."
SHIPPED = sorted(path.name for path in CORPUS_DIR.glob("*.txt"))

ALIAS_BOMB = "\n".join(
    [
        "---",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
            for previous, name in zip("abcdefg", "bcdefgh", strict=True)
        ),
        "title: *h",
        "---",
        "The CICA summit in Astana was proposed by Kazakhstan in 1992.",
    ]
)


def read(folder_path: Path) -> tuple[list[SourceRecord], list[Problem]]:
    return sources.read_corpus(folder_path, LIMIT)


def reasons_for(problems: list[Problem], source_file: str) -> list[str]:
    return [p.reason for p in problems if p.source_file == source_file]


def storable(text: str | None) -> bool:
    """True when DuckDB, Arrow and hashing can take the text (valid Unicode, no surrogates)."""
    if text is None:
        return True
    text.encode("utf-8")
    return True


# --- row 1: link loops ------------------------------------------------------------------------


def test_row1_a_symlink_loop_is_reported_and_the_rest_loads(tmp_path: Path) -> None:
    """Row 1: `ln -s self.txt self.txt`, a two-link loop and a loop of folder links."""
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    os.symlink("self.txt", tmp_path / "self.txt")
    os.symlink("ping.txt", tmp_path / "pong.txt")
    os.symlink("pong.txt", tmp_path / "ping.txt")
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "up")  # a folder link back to the top
    records, problems = read(tmp_path)
    assert [r.source_file for r in records] == ["good.txt"]
    for name in ("self.txt", "ping.txt", "pong.txt"):
        assert any("loop" in reason for reason in reasons_for(problems, name)), problems
    assert any("not followed" in reason for reason in reasons_for(problems, "sub/up"))
    signature = freshness.input_signature(make_settings(tmp_path, tmp_path / "w.duckdb"))
    assert len(signature) == 64


# --- row 2: file names that are not UTF-8 -----------------------------------------------------


def test_row2_a_file_name_that_is_not_utf8_loads_under_an_escaped_name(tmp_path: Path) -> None:
    """Row 2: `bad\\xffname.txt`; names with a newline or a bidi override are escaped too."""
    raw_folder = os.fsencode(tmp_path)
    for raw_name in (b"bad\xffname.txt", b"line\nbreak.txt", "rtl\u202etxt.txt".encode()):
        with open(os.path.join(raw_folder, raw_name), "wb") as handle:
            handle.write(f"{GOOD} File {raw_name!r}.".encode())
    records, problems = read(tmp_path)
    assert problems == []
    names = sorted(r.source_file for r in records)
    assert names == ["bad\\xffname.txt", "line\\x0abreak.txt", "rtl\\u202etxt.txt"]
    assert all(name.isprintable() and storable(name) for name in names)
    settings_ = make_settings(tmp_path, tmp_path / "db" / "w.duckdb")
    assert len(freshness.input_signature(settings_)) == 64


def test_row2_the_manifest_names_odd_files_by_their_shown_name(tmp_path: Path) -> None:
    """Row 2: a manifest row gives metadata to `bad\\xffname.txt` written as it is shown, and to
    a name holding a newline written either way."""
    raw_folder = os.fsencode(tmp_path)
    for raw_name in (b"bad\xffname.txt", b"line\nbreak.txt"):
        with open(os.path.join(raw_folder, raw_name), "wb") as handle:
            handle.write(f"{GOOD} {raw_name!r}".encode())
    (tmp_path / "manifest.csv").write_text(
        'file,title\nbad\\xffname.txt,Escaped\n"line\nbreak.txt",Literal\n', encoding="utf-8"
    )
    records, problems = read(tmp_path)
    assert problems == []
    assert {r.source_file: r.title for r in records} == {
        "bad\\xffname.txt": "Escaped", "line\\x0abreak.txt": "Literal"
    }


def test_row2_display_names_leave_ordinary_names_alone() -> None:
    """Row 2: escaping touches only what cannot be shown as it is."""
    assert folder.display_name("Отчёт 2023 — CICA.txt") == "Отчёт 2023 — CICA.txt"
    assert folder.display_name(os.fsdecode(b"a\xff\xfeb")) == "a\\xff\\xfeb"


# --- row 3: lone surrogates in records ----------------------------------------------------------


def test_row3_a_jsonl_record_with_a_lone_surrogate_is_repaired_and_reported(
    tmp_path: Path,
) -> None:
    """Row 3: `"\\ud800"` in a JSONL record's text and title, and in front matter."""
    (tmp_path / "s.jsonl").write_text(
        json.dumps({"text": f"{GOOD} \ud800 end.", "title": "T\udfff"}) + "\n"
        + json.dumps({"text": f"{GOOD} second record."}) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "s.md").write_text(f'---\ntitle: "A \\ud800 title"\n---\n{GOOD} Markdown.\n')
    records, problems = read(tmp_path)
    assert len(records) == 3
    for record in records:
        assert storable(record.raw_text) and storable(record.title)
        content_fingerprint(clean_text(record.raw_text).text)  # hashing used to fail here
    first = next(r for r in records if r.source_file == "s.jsonl" and r.record_no == 1)
    assert "\ufffd" in first.raw_text and first.title == "T\ufffd"
    warning = next(p for p in problems if p.source_file == "s.jsonl")
    assert warning.record_no == 1 and warning.severity == "warning"
    assert "surrogate" in warning.reason and "s.jsonl (record 1)" in warning.message()
    assert any("surrogate" in reason for reason in reasons_for(problems, "s.md"))


# --- row 5: YAML front matter and field caps --------------------------------------------------


def test_row5_a_yaml_alias_bomb_costs_its_metadata_not_the_build(tmp_path: Path) -> None:
    """Row 5: a 1 KB alias bomb; the body still loads, the file is reported."""
    (tmp_path / "bomb.md").write_text(ALIAS_BOMB, encoding="utf-8")
    records, problems = read(tmp_path)
    assert len(records) == 1 and records[0].title is None
    assert "Astana" in records[0].raw_text
    (reason,) = reasons_for(problems, "bomb.md")
    assert "front matter" in reason and "aliases" in reason and "text was loaded" in reason


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("a: &a [*a]\ntitle: x", "contains itself"),
        ("x: &x y\n" + "".join(f"k{n}: *x\n" for n in range(YAML_MAX_ALIASES + 1)), "aliases"),
        ("title: " + "x" * (FRONT_MATTER_MAX_CHARS + 1), "limit"),
        ("title: " + "[" * 1500, "more than 20 deep"),
        ("year: " + "9" * 5000, "could not be read"),
    ],
    ids=["recursive alias", "too many aliases", "oversized", "deep nesting", "huge number"],
)
def test_row5_front_matter_beyond_the_limits_is_ignored_with_a_reason(
    tmp_path: Path, front_matter: str, expected: str
) -> None:
    """Row 5: every way front matter can be too big or too deep is one warning for that file."""
    (tmp_path / "f.md").write_text(f"---\n{front_matter}\n---\n{GOOD}\n", encoding="utf-8")
    records, problems = read(tmp_path)
    assert len(records) == 1 and records[0].raw_text.strip() == GOOD
    (reason,) = reasons_for(problems, "f.md")
    assert expected in reason


def test_row5_long_metadata_fields_are_capped_wherever_they_come_from(tmp_path: Path) -> None:
    """Row 5: a 393-byte title used to expand to 24 million characters; every field is capped."""
    huge = "Summit " * 4_000  # 28,000 characters, within the front matter limit twice over
    (tmp_path / "a.md").write_text(
        f"---\ntitle: {huge}\nauthor: {huge}\nurl: https://x.kz/{'a' * 5000}\n---\n{GOOD}\n"
    )
    with (tmp_path / "b.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["text", "outlet", "title"], [GOOD + " B.", huge, huge]])
    (tmp_path / "c.txt").write_text(GOOD + " C.", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(f"file,title\nc.txt,{huge}\n", encoding="utf-8")
    records, problems = read(tmp_path)
    assert len(records) == 3
    for record in records:
        for name, limit in FIELD_MAX_CHARS.items():
            value = getattr(record, name)
            assert value is None or len(value) <= limit
    assert len(records[0].title or "") == FIELD_MAX_CHARS["title"]
    for name in ("a.md", "b.csv", "c.txt"):
        assert any("limit" in reason for reason in reasons_for(problems, name)), name


# --- row 12: links and manifest rows leading outside the folder -------------------------------


def test_row12_a_link_outside_the_folder_is_never_followed(tmp_path: Path) -> None:
    """Row 12: a link to /etc/os-release is skipped; a link inside the folder still loads."""
    articles = tmp_path / "articles"
    (articles / "sub").mkdir(parents=True)
    (articles / "sub" / "real.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside secret", encoding="utf-8")
    os.symlink("/etc/os-release", articles / "os.txt")
    os.symlink(tmp_path / "secret.txt", articles / "secret.txt")
    os.symlink("/nonexistent/nothing.txt", articles / "missing.txt")
    os.symlink("sub/real.txt", articles / "inside.txt")
    os.symlink(tmp_path, articles / "parent")  # a folder link out of the folder
    records, problems = read(articles)
    assert sorted(r.source_file for r in records) == ["inside.txt", "sub/real.txt"]
    assert all("secret" not in r.raw_text and "ID=" not in r.raw_text for r in records)
    # the same words whether the target exists or not
    assert reasons_for(problems, "os.txt") == reasons_for(problems, "missing.txt")
    assert reasons_for(problems, "os.txt") == [folder.LINK_OUTSIDE]
    assert reasons_for(problems, "secret.txt") == [folder.LINK_OUTSIDE]
    assert reasons_for(problems, "parent") == [folder.LINK_OUTSIDE]


def test_row12_a_manifest_row_naming_a_path_outside_never_reveals_the_file(
    tmp_path: Path,
) -> None:
    """Row 12: `/etc/shadow`, `../x` and a missing absolute path get the same kind of answer."""
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "file,title\n/etc/shadow,A\n/nonexistent/shadow,B\n../x.txt,C\nsub/../../etc/passwd,D\n"
        "good.txt,Good\n",
        encoding="utf-8",
    )
    records, problems = read(tmp_path)
    assert [r.title for r in records] == ["Good"]
    manifest = [p.reason for p in problems if p.source_file == "manifest.csv"]
    assert len(manifest) == 4 and all("the row was ignored" in reason for reason in manifest)
    shadow = manifest[0].replace("line 2", "line N").replace("/etc/shadow", "X")
    assert shadow == manifest[1].replace("line 3", "line N").replace("/nonexistent/shadow", "X")
    assert "absolute path" in manifest[0] and "climbs out" in manifest[2]
    assert not any("does not exist" in p.reason or "no such" in p.reason for p in problems)


# --- row 4: the warehouse rejects rows, never the build, for article content -----------------


def test_row4_content_rules_remove_rows_and_name_their_file() -> None:
    """Row 4: an event dated 1850, a membership count of 0 and a publication date of 1850 are
    taken out of a real DuckDB warehouse with a warning each; validation then passes, while a
    structural fault (a fact pointing at no article) still fails it."""
    con = duckdb.connect()
    warehouse.apply_schema(con)
    con.execute(
        "INSERT INTO articles (article_id, source_file, record_no, file_format, published, "
        "published_precision, date_source, title_source, outlet_source, author_source, "
        "url_source, encoding, word_count, text, duplicate_files) VALUES "
        "('a1', 'old.jsonl', 3, 'jsonl', DATE '1850-01-01', 'year', 'record', 'unknown', "
        "'unknown', 'unknown', 'unknown', 'utf-8', 5, 'text', [])"
    )
    # every article has its signature and its story, as a build gives it
    con.execute("INSERT INTO article_signatures VALUES ('a1', ?)", [stories.signature("text")])
    stories.build_stories(con)
    con.execute("INSERT INTO initiatives VALUES ('CICA', 'CICA', 'CICA', 'forum', '', [])")
    event = ("INSERT INTO events (event_id, initiative_id, event_type, year, date_text, "
             "date_basis, article_id, sentence_no, sentence, rule, confidence, "
             "initiative_sentence_no) VALUES (?, 'CICA', 'founded', ?, ?, 'explicit', ?, 1, "
             "'It was first held in 1850.', 'verb_in_clause', 0.9, 1)")
    con.execute(event, ["e1", 1850, "in 1850", "a1"])
    con.execute(event, ["e2", 1999, "in 1999", "a1"])
    con.execute(
        "INSERT INTO memberships (membership_id, initiative_id, kind, count, year, year_basis, "
        "count_text, article_id, sentence_no, sentence, rule, confidence, "
        "initiative_sentence_no) VALUES ('m1', 'CICA', 'member_states', 0, 2020, 'explicit', "
        "'0 member states', 'a1', 1, 'It has 0 member states.', 'count', 0.9, 1)"
    )
    warnings = warehouse.reject_rows(con)
    assert {(p.source_file, p.record_no, p.severity) for p in warnings} == {
        ("old.jsonl", 3, "warning")
    }
    assert len(warnings) == 3 and any("'in 1850'" in p.reason for p in warnings)
    assert con.execute("SELECT event_id FROM events").fetchall() == [("e2",)]
    assert con.execute("SELECT published FROM articles").fetchall() == [(None,)]
    assert warehouse.validate(con) == []
    con.execute(event, ["e3", 2001, "in 2001", "no-such-article"])
    assert [issue.table for issue in warehouse.validate(con)] == ["events"]


# --- row 4 and the acceptance build: every bad file at once, through the command line ---------


def make_hostile_folder(articles: Path) -> dict[str, str]:
    """The shipped articles plus one file per hostile row; returns bad name -> reason fragment."""
    shutil.copytree(CORPUS_DIR, articles)
    os.symlink("self.txt", articles / "self.txt")  # row 1
    with open(os.path.join(os.fsencode(articles), b"bad\xffname.txt"), "wb") as handle:  # row 2
        handle.write(b"The Astana International Forum on Kazakhstan and CICA, named oddly.")
    (articles / "surrogate.jsonl").write_text(  # row 3
        json.dumps({"text": "Kazakhstan chairs CICA \ud800 this year, officials said."}) + "\n",
        encoding="utf-8",
    )
    (articles / "old.txt").write_text(  # row 4
        "The Congress of Leaders of World and Traditional Religions, which Kazakhstan hosts, "
        "was first held in 1850, according to a garbled archive.",
        encoding="utf-8",
    )
    (articles / "dated.jsonl").write_text(  # row 4: a record dated 1850
        json.dumps({"text": "Record 1850. Kazakhstan proposed CICA at the United Nations.",
                    "published": "1850"}) + "\n",
        encoding="utf-8",
    )
    (articles / "bomb.md").write_text(ALIAS_BOMB, encoding="utf-8")  # row 5
    os.symlink("/etc/os-release", articles / "os-release.txt")  # row 12
    with (articles / "manifest.csv").open("a", encoding="utf-8") as handle:  # row 12
        handle.write("/etc/shadow,Shadow,,,,,,\n")
    return {
        "self.txt": "loop",
        "bad\\xffname.txt": "",  # loads: the name alone is no reason to fail
        "surrogate.jsonl (record 1)": "surrogate",
        "old.txt": "outside 1900-2100",
        "dated.jsonl (record 1)": "outside 1900-2100",
        "bomb.md": "aliases",
        "os-release.txt": "outside the article folder",
        "manifest.csv": "absolute path",
    }


def test_acceptance_a_build_over_every_hostile_file_loads_the_shipped_articles(
    tmp_path: Path,
) -> None:
    """Rows 1-5 and 12 together: `python -m etl` exits 0, loads the five shipped articles and
    names every bad file with its reason; a second build over the same folder does the same."""
    articles = tmp_path / "articles"
    expected = make_hostile_folder(articles)
    db = tmp_path / "db" / "warehouse.duckdb"
    env = {**os.environ, "IM_REFERENCE_DIR": str(REFERENCE_DIR), "COLUMNS": "1000"}
    command = [sys.executable, "-m", "etl", "--articles", str(articles), "--db", str(db)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for name, fragment in expected.items():
        if fragment:
            assert any(f" {name}: " in line and fragment in line for line in lines), (name, lines)
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = {row[0] for row in con.execute("SELECT source_file FROM articles").fetchall()}
        assert set(SHIPPED) <= loaded
        assert {"bad\\xffname.txt", "surrogate.jsonl", "old.txt"} <= loaded
        assert "os-release.txt" not in loaded and "self.txt" not in loaded
        years = con.execute("SELECT min(year), max(year) FROM events").fetchone()
        assert years is not None and 1900 <= years[0] <= years[1] <= 2100
        published = con.execute(
            "SELECT published FROM articles WHERE source_file = 'dated.jsonl'"
        ).fetchone()
        assert published == (None,)
    stale = subprocess.run([*command, "--if-stale"], capture_output=True, text=True, env=env,
                           timeout=300)
    assert stale.returncode == 0 and "up to date" in stale.stdout, stale.stderr
    # an incremental build after one more file: the bad files are still listed, nothing fails
    (articles / "later.txt").write_text(GOOD, encoding="utf-8")
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "self.txt: " in again.stdout and "os-release.txt: " in again.stdout


def test_row3_etl_add_of_a_record_with_a_lone_surrogate_then_builds(tmp_path: Path) -> None:
    """Row 3: `etl add` of a JSONL file with "\\ud800" saves it and the build that follows
    loads it (it used to save the file and then fail every build)."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "good.txt").write_text(GOOD, encoding="utf-8")
    upload = tmp_path / "upload.jsonl"
    upload.write_text(json.dumps({"text": f"{GOOD} \ud800 Added."}) + "\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    env = {**os.environ, "IM_REFERENCE_DIR": str(REFERENCE_DIR), "COLUMNS": "1000"}
    command = [sys.executable, "-m", "etl", "add", "--articles", str(articles), "--db", str(db),
               str(upload)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        texts = [row[0] for row in con.execute(
            "SELECT text FROM articles WHERE source_file = 'upload.jsonl'").fetchall()]
    assert len(texts) == 1 and "\ufffd" in texts[0]


# --- property-based: random input to the readers ----------------------------------------------

# HOSTILE_EXAMPLES=600 searches harder (about 40 s); the default keeps this file near 10 s.
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
HOSTILE_FRAGMENTS = st.characters() | st.sampled_from(
    ["\ud800", "\udfff", "\ud83d", "\x00", "\u202e", "\u2066", "\u200f", "\ufeff", "\n",
     "\r", "\u2028", '"', ",", "---\n", "&a ", "*a", "[", "{", ": ", "SOURCE: ", "1850", "\t"]
)
HOSTILE_TEXT = st.lists(HOSTILE_FRAGMENTS, max_size=60).map("".join)
FIELD_NAMES = st.sampled_from(
    ["text", "body", "content", "title", "outlet", "source", "author", "url", "published",
     "date", "other"]
)


def assert_all_storable(records: list[SourceRecord], problems: list[Problem]) -> None:
    for record in records:
        for value in (record.raw_text, record.title, record.outlet, record.author, record.url,
                      record.source_file):
            assert storable(value)
        for name, limit in FIELD_MAX_CHARS.items():
            assert len(getattr(record, name) or "") <= limit
    for problem in problems:
        assert storable(problem.reason) and storable(problem.source_file)


@PROPERTY_SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(list(ARTICLE_FORMATS)))
def test_property_random_bytes_never_escape_a_reader(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    """Rows 1-5: random bytes in a file of every accepted type load or are reported."""
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    records, problems = sources.read_file(path, path.name, LIMIT)
    assert records or problems
    assert_all_storable(records, problems)


@PROPERTY_SETTINGS
@given(text=HOSTILE_TEXT, file_format=st.sampled_from(sorted(FORMAT_READERS)))
def test_property_random_unicode_never_escapes_a_reader(text: str, file_format: str) -> None:
    """Row 3: text with lone surrogates, bidi controls and NULs goes through every reader."""
    name = f"random.{file_format}"
    try:
        result = FORMAT_READERS[file_format](text, name)
    except SourceError:
        return  # reported with its reason, as read_file does
    problems = list(result.problems)
    records = []
    for draft in result.drafts:
        record, problem = build_record(name, draft, file_format, "utf-8", None)
        records += [record] if record else []
        problems += [problem] if problem else []
    assert_all_storable(records, problems)
    for record in records:
        content_fingerprint(clean_text(record.raw_text).text)


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | HOSTILE_TEXT | st.dates(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@PROPERTY_SETTINGS
@given(
    metadata=st.dictionaries(FIELD_NAMES, YAML_VALUES, max_size=6),
    garbage=st.text(st.sampled_from("&*ab[]{}:,- \n!|>'\"\\"), max_size=80),
)
def test_property_random_front_matter_loads_or_is_reported(
    metadata: dict[str, object], garbage: str
) -> None:
    """Row 5: random YAML front matter (valid, and with anchors and aliases thrown in)."""
    for block in (yaml.safe_dump(metadata, allow_unicode=True), f"title: {garbage}\n{garbage}"):
        result = read_markdown(f"---\n{block}---\n{GOOD}\n", "r.md")
        assert len(result.drafts) == 1 and GOOD in result.drafts[0].text
        record, problem = build_record("r.md", result.drafts[0], "md", "utf-8", None)
        assert record is not None
        assert_all_storable([record], result.problems + ([problem] if problem else []))


RECORDS = st.lists(st.dictionaries(FIELD_NAMES, HOSTILE_TEXT, max_size=5), min_size=1, max_size=6)


@PROPERTY_SETTINGS
@given(rows=RECORDS)
def test_property_every_jsonl_record_loads_or_is_reported(rows: list[dict[str, str]]) -> None:
    """Row 3: each non-blank JSONL line gives a record or a problem with its line number."""
    lines = [json.dumps(row) for row in rows]
    try:
        result = read_jsonl("\n".join(lines), "r.jsonl")
    except SourceError:
        return
    seen = {d.record_no for d in result.drafts} | {p.record_no for p in result.problems}
    assert seen >= {n for n, line in enumerate(lines, start=1) if line.strip()}
    records = [build_record("r.jsonl", d, "jsonl", "utf-8", None)[0]
               for d in result.drafts]
    assert_all_storable([r for r in records if r], result.problems)


@PROPERTY_SETTINGS
@given(rows=RECORDS)
def test_property_every_csv_record_loads_or_is_reported(rows: list[dict[str, str]]) -> None:
    """Row 3: random CSV records (surrogates repaired first, as decoding a file would)."""
    columns = sorted({"text", *(name for row in rows for name in row)})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name, "") for name in columns])
    text = out.getvalue().encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    try:
        result = read_csv(text, "r.csv")
    except SourceError:
        return
    records = [build_record("r.csv", d, "csv", "utf-8", None)[0] for d in result.drafts]
    assert_all_storable([r for r in records if r], result.problems)
    numbers = [d.record_no for d in result.drafts] + [p.record_no for p in result.problems]
    assert None not in numbers


@PROPERTY_SETTINGS
@given(names=st.lists(st.binary(min_size=1, max_size=30), min_size=1, max_size=5))
def test_property_any_file_name_is_listed_and_shown_safely(
    tmp_path: Path, names: list[bytes]
) -> None:
    """Row 2: random byte names are listed, read and shown as printable, storable text."""
    target = tmp_path / "names"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for raw in names:
        # no '/' or NUL (no file system allows them); no leading '.' (hidden files are skipped)
        raw = raw.replace(b"/", b"_").replace(b"\x00", b"_")
        raw = b"_" + raw[1:] if raw.startswith(b".") else raw
        with open(os.path.join(os.fsencode(target), raw + b".txt"), "wb") as handle:
            handle.write(GOOD.encode())
    records, problems = read(target)
    assert len(records) + len(problems) >= 1
    assert_all_storable(records, problems)
    assert all(r.source_file.isprintable() for r in records)
