"""`python -m etl add FILE...` as an analyst runs it: files are copied unchanged under safe
names, bad input is refused with a reason, duplicates are named, nothing is overwritten, and an
add while another build runs says so (and can wait for it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from etl import cli, intake, pipeline, warehouse
from tests.conftest import REFERENCE_DIR, make_settings

CICA_ARTICLE = (
    "Astana, 2 May 2024. CICA, Asia's security forum, held its sixth summit in Astana in "
    "October 2022. CICA has 28 member states.\n"
)
MD_ARTICLE = (
    "---\ntitle: Religions congress\noutlet: Test Wire\npublished: 2024-09-20\n---\n"
    "The Congress of Leaders of World and Traditional Religions was first held in Astana in "
    "2003 and meets every three years.\n"
)
JSONL_ARTICLES = (
    '{"title": "Food security", "published": "2024-01-10", "text": "The Islamic Organisation '
    'for Food Security was founded in 2013 and has its headquarters in Astana."}\n'
    '{"title": "Forum", "published": "2024-02-11", "text": "The Astana International Forum '
    'was first held in 2023."}\n'
)
HTML_ARTICLE = (
    "<html><head><title>Biosafety agency</title></head><body><nav>Home | News</nav><article>"
    "<p>Kazakhstan proposed the International Agency for Biological Safety at the United "
    "Nations General Assembly in 2020.</p></article></body></html>"
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def run_add(*args: str | Path, report: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m etl add ...` in a new process, as an analyst (or the dashboard) runs it."""
    command = [sys.executable, "-m", "etl", "add", *map(str, args)]
    if report is not None:
        command += ["--report-json", str(report)]
    env = {**os.environ, "IM_REFERENCE_DIR": str(REFERENCE_DIR), "COLUMNS": "200"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


AddCommand = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def add(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> AddCommand:
    """The same command run in this process through `etl.cli.main` (no interpreter start-up),
    for the tests that need no second process."""
    monkeypatch.setenv("IM_REFERENCE_DIR", str(REFERENCE_DIR))
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str | Path, report: Path | None = None) -> subprocess.CompletedProcess[str]:
        argv = ["add", *map(str, args)]
        if report is not None:
            argv += ["--report-json", str(report)]
        capsys.readouterr()
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, out, err)

    return run


def outcomes(report: Path) -> dict[str, dict[str, object]]:
    """Per-file outcomes of a `--report-json` file, by the name the file was given."""
    body = json.loads(report.read_text(encoding="utf-8"))
    assert body["stage"] == "done"
    return {item["given_name"]: item for item in body["files"]}


def folder(path: Path) -> dict[str, bytes]:
    """Every visible file of an article folder with its bytes."""
    return {p.name: p.read_bytes() for p in path.iterdir()
            if p.is_file() and not p.name.startswith(".")}


def loaded_articles(db: Path) -> dict[str, tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT source_file, title, title_source, outlet, published, published_precision "
            "FROM articles"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.fixture
def library(corpus_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(article folder, warehouse path): a private copy of the corpus, no warehouse yet."""
    articles = tmp_path / "library" / "articles"
    shutil.copytree(corpus_copy, articles)
    return articles, tmp_path / "library" / "warehouse.duckdb"


@pytest.fixture
def incoming(tmp_path: Path) -> Path:
    """Where the analyst's files come from."""
    path = tmp_path / "incoming"
    path.mkdir()
    return path


def test_good_files_are_copied_unchanged_and_loaded(
    library: tuple[Path, Path], incoming: Path, tmp_path: Path
) -> None:
    articles, db = library
    files = {
        "cica.txt": CICA_ARTICLE.encode("utf-8"),
        "congress.md": MD_ARTICLE.encode("utf-8"),
        "two.jsonl": JSONL_ARTICLES.encode("utf-8"),
        "agency.html": HTML_ARTICLE.encode("utf-8"),
        "cyrillic.txt": "Астана. CICA held a summit in 2022.\n".encode("cp1251"),
    }
    for name, data in files.items():
        (incoming / name).write_bytes(data)
    report = tmp_path / "report.json"
    result = run_add(*(incoming / n for n in files), "--articles", articles, "--db", db,
                     report=report)
    assert result.returncode == 0, result.stderr
    saved = folder(articles)
    for name, data in files.items():
        assert saved[name] == data  # byte for byte
    found = outcomes(report)
    assert {n: o["outcome"] for n, o in found.items()} == dict.fromkeys(files, "loaded")
    assert len(found["two.jsonl"]["article_ids"]) == 2
    assert "2 articles loaded" in found["two.jsonl"]["detail"]
    stored = loaded_articles(db)
    assert set(files) <= set(stored)
    assert stored["congress.md"][0] == "Religions congress"
    body = json.loads(report.read_text(encoding="utf-8"))
    assert body["exit_code"] == 0
    assert body["build"]["articles_loaded"] == 5 + 6
    for name in files:
        assert f"loaded {name}" in " ".join(result.stdout.split())


def test_each_bad_input_is_refused_with_its_reason_and_not_copied(
    library: tuple[Path, Path], incoming: Path, tmp_path: Path, add: AddCommand
) -> None:
    articles, db = library
    bad = {
        "report.pdf": (b"%PDF-1.4 not an article", "'.pdf' files are not accepted"),
        "notes": (b"CICA met in 2022.", "files without an extension are not accepted"),
        "empty.txt": (b"", "is empty"),
        "blank.md": (b"  \n\t\n", "only whitespace"),
        "picture.txt": (PNG_BYTES, "PNG image"),
        "huge.txt": (b"CICA met in Astana. " * 200, "over the"),
        "manifest.csv": (b"file,title\na.txt,A\n", "metadata file"),
        "broken.jsonl": (b"{not json\n", "record 1"),
    }
    for name, (data, _reason) in bad.items():
        (incoming / name).write_bytes(data)
    before = folder(articles)
    report = tmp_path / "report.json"
    result = add(*(incoming / n for n in bad), "--articles", articles, "--db", db,
                     "--max-bytes", "1000", report=report)
    assert result.returncode == 4, result.stdout + result.stderr
    assert folder(articles) == before
    assert not db.exists()  # nothing new, so no build
    found = outcomes(report)
    for name, (_data, reason) in bad.items():
        assert found[name]["outcome"] == "refused", name
        assert reason in found[name]["detail"], (name, found[name]["detail"])
        assert found[name]["saved_as"] is None
    assert "accepted types are .txt, .md, .html/.htm, .csv and .jsonl" in (
        found["report.pdf"]["detail"])
    assert "IM_MAX_FILE_BYTES" in found["huge.txt"]["detail"]


def test_good_and_bad_files_together(library: tuple[Path, Path], incoming: Path,
                                     tmp_path: Path, add: AddCommand) -> None:
    articles, db = library
    (incoming / "cica.txt").write_text(CICA_ARTICLE, encoding="utf-8")
    (incoming / "slides.pptx").write_bytes(b"PK\x03\x04 not an article")
    report = tmp_path / "report.json"
    result = add(incoming / "cica.txt", incoming / "slides.pptx", "--articles", articles,
                     "--db", db, report=report)
    assert result.returncode == 0, result.stderr
    found = outcomes(report)
    assert (found["cica.txt"]["outcome"], found["slides.pptx"]["outcome"]) == (
        "loaded", "refused")
    assert "slides.pptx" not in folder(articles)


def test_a_duplicate_article_is_named_whichever_file_sorts_first(
    library: tuple[Path, Path], incoming: Path, tmp_path: Path, add: AddCommand
) -> None:
    articles, db = library
    pipeline.build_warehouse(make_settings(articles, db))
    original = sorted(articles.glob("00*.txt"))[0]
    # the same article with other spacing: other bytes, the same cleaned text
    same_text = ("\n" + original.read_text(encoding="utf-8") + "\n\n").encode("utf-8")
    (incoming / "0-copy.txt").write_bytes(same_text)  # sorts before the original
    (incoming / "zz-copy.txt").write_bytes(same_text + b"\n")  # sorts after it
    report = tmp_path / "report.json"
    result = add(incoming / "0-copy.txt", incoming / "zz-copy.txt", "--articles", articles,
                     "--db", db, report=report)
    assert result.returncode == 0, result.stderr
    found = outcomes(report)
    for name in ("0-copy.txt", "zz-copy.txt"):
        assert found[name]["outcome"] == "duplicate", found[name]
        assert original.name in found[name]["detail"]
        assert found[name]["article_ids"] == []
    assert len(loaded_articles(db)) == 5


def test_the_same_bytes_are_already_present_and_not_copied_again(
    library: tuple[Path, Path], tmp_path: Path, add: AddCommand
) -> None:
    articles, db = library
    original = sorted(articles.glob("00*.txt"))[1]
    copy = tmp_path / "renamed.txt"
    shutil.copyfile(original, copy)
    before = folder(articles)
    report = tmp_path / "report.json"
    result = add(copy, "--articles", articles, "--db", db, report=report)
    assert result.returncode == 0, result.stderr
    found = outcomes(report)["renamed.txt"]
    assert found["outcome"] == "already_present"
    assert found["saved_as"] == original.name
    assert folder(articles) == before
    assert "already present" in result.stdout


def test_names_with_paths_or_hidden_names_stay_inside_the_folder(
    library: tuple[Path, Path], incoming: Path, tmp_path: Path, add: AddCommand
) -> None:
    articles, db = library
    (incoming / "a.txt").write_text(CICA_ARTICLE, encoding="utf-8")
    (incoming / "b.txt").write_text(CICA_ARTICLE.replace("sixth", "seventh"), encoding="utf-8")
    (incoming / "c.txt").write_text(CICA_ARTICLE.replace("sixth", "fifth"), encoding="utf-8")
    report = tmp_path / "report.json"
    result = add(
        incoming / "a.txt", incoming / "b.txt", incoming / "c.txt",
        "--name", "../../evil.txt", "--name", ".hidden.txt", "--name", "..\\..\\win dows.TXT",
        "--articles", articles, "--db", db, report=report,
    )
    assert result.returncode == 0, result.stderr
    found = outcomes(report)
    assert found["../../evil.txt"]["saved_as"] == "evil.txt"
    assert found[".hidden.txt"]["saved_as"] == "hidden.txt"
    assert found["..\\..\\win dows.TXT"]["saved_as"] == "win_dows.txt"
    assert all(o["outcome"] == "loaded" for o in found.values())
    assert not (tmp_path / "evil.txt").exists() and not (articles.parent / "evil.txt").exists()
    outside = [p for p in tmp_path.rglob("*") if p.name in {"evil.txt", "hidden.txt"}]
    assert all(p.parent == articles for p in outside)
    assert {"evil.txt", "hidden.txt", "win_dows.txt"} <= set(loaded_articles(db))


def test_an_existing_name_with_other_content_gets_a_suffix(
    library: tuple[Path, Path], incoming: Path, tmp_path: Path, add: AddCommand
) -> None:
    articles, db = library
    existing = sorted(articles.glob("00*.txt"))[2]
    kept = existing.read_bytes()
    (incoming / existing.name).write_text(CICA_ARTICLE, encoding="utf-8")
    report = tmp_path / "report.json"
    result = add(incoming / existing.name, "--articles", articles, "--db", db,
                     report=report)
    assert result.returncode == 0, result.stderr
    found = outcomes(report)[existing.name]
    suffixed = f"{existing.stem}-2.txt"
    assert found["saved_as"] == suffixed and found["outcome"] == "loaded"
    assert "another file named" in found["detail"]
    assert existing.read_bytes() == kept
    assert (articles / suffixed).read_text(encoding="utf-8") == CICA_ARTICLE


def test_an_add_while_another_build_holds_the_lock_keeps_the_file_and_says_so(
    library: tuple[Path, Path], incoming: Path, tmp_path: Path
) -> None:
    articles, db = library
    (incoming / "cica.txt").write_text(CICA_ARTICLE, encoding="utf-8")
    report = tmp_path / "report.json"
    with warehouse.build_lock(db):
        result = run_add(incoming / "cica.txt", "--articles", articles, "--db", db,
                         report=report)
    assert result.returncode == 3
    assert "another build" in result.stderr
    found = outcomes(report)["cica.txt"]
    assert found["outcome"] == "saved"
    assert "not loaded yet" in found["detail"]
    assert (articles / "cica.txt").read_text(encoding="utf-8") == CICA_ARTICLE
    assert not db.exists()


def test_an_add_can_wait_for_the_running_build(
    library: tuple[Path, Path], incoming: Path, tmp_path: Path
) -> None:
    articles, db = library
    (incoming / "cica.txt").write_text(CICA_ARTICLE, encoding="utf-8")
    report = tmp_path / "report.json"
    env = {**os.environ, "IM_REFERENCE_DIR": str(REFERENCE_DIR)}
    with warehouse.build_lock(db):
        process = subprocess.Popen(
            [sys.executable, "-m", "etl", "add", str(incoming / "cica.txt"), "--articles",
             str(articles), "--db", str(db), "--wait", "60", "--quiet", "--report-json",
             str(report)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        stages = set()
        deadline = time.monotonic() + 60
        while "waiting" not in stages and time.monotonic() < deadline:
            if report.exists():
                stages.add(json.loads(report.read_text(encoding="utf-8"))["stage"])
            time.sleep(0.05)
        assert "waiting" in stages
        assert (articles / "cica.txt").exists()  # saved before the wait
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert outcomes(report)["cica.txt"]["outcome"] == "loaded"
    assert "cica.txt" in loaded_articles(db)


def test_title_outlet_and_date_go_into_the_manifest(
    library: tuple[Path, Path], incoming: Path, tmp_path: Path, add: AddCommand
) -> None:
    articles, db = library
    source = incoming / "summit.txt"
    source.write_text(CICA_ARTICLE, encoding="utf-8")
    manifest_before = (articles / "manifest.csv").read_text(encoding="utf-8")
    report = tmp_path / "report.json"
    result = add(source, "--title", 'Summit, "recap"', "--outlet", "Test Wire",
                     "--published", "May 2024", "--articles", articles, "--db", db,
                     report=report)
    assert result.returncode == 0, result.stderr
    assert (articles / "summit.txt").read_bytes() == source.read_bytes()
    manifest = (articles / "manifest.csv").read_text(encoding="utf-8")
    assert manifest.startswith(manifest_before)  # earlier rows untouched
    title, title_source, outlet, published, precision = loaded_articles(db)["summit.txt"]
    assert (title, title_source, outlet) == ('Summit, "recap"', "manifest", "Test Wire")
    assert (str(published), precision) == ("2024-05-01", "month")


def test_unusable_metadata_is_refused(library: tuple[Path, Path], incoming: Path,
                                      tmp_path: Path, add: AddCommand) -> None:
    articles, db = library
    (incoming / "a.txt").write_text(CICA_ARTICLE, encoding="utf-8")
    (incoming / "b.jsonl").write_text(JSONL_ARTICLES, encoding="utf-8")
    report = tmp_path / "report.json"
    result = add(incoming / "a.txt", "--published", "someday", "--articles", articles,
                     "--db", db, report=report)
    assert result.returncode == 4
    assert "is not understood" in outcomes(report)["a.txt"]["detail"]
    result = add(incoming / "b.jsonl", "--title", "T", "--articles", articles, "--db", db,
                     report=report)
    assert result.returncode == 4
    assert "own columns" in outcomes(report)["b.jsonl"]["detail"]
    assert not (articles / "a.txt").exists() and not (articles / "b.jsonl").exists()
    result = add(incoming / "a.txt", incoming / "b.jsonl", "--title", "T",
                     "--articles", articles, "--db", db)
    assert result.returncode == 2 and "one file" in result.stderr


def test_add_is_documented_in_its_help() -> None:
    result = run_add("--help")
    assert result.returncode == 0
    for option in ("--articles", "--db", "--name", "--title", "--outlet", "--published",
                   "--max-bytes", "--wait", "--report-json", "--quiet"):
        assert option in result.stdout, option
    readme = (REFERENCE_DIR.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "python -m etl add" in readme
    for option in ("--report-json", "--wait", "--title"):
        assert option in readme, option


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("article.txt", "article.txt"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\Windows\\x.md", "x.md"),
        ("/abs/path/y.HTML", "y.html"),
        (".hidden.txt", "hidden.txt"),
        ("...txt", "txt"),
        ("--rm -rf.txt", "rm_-rf.txt"),
        ("my report (final).txt", "my_report_final.txt"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("Астана 2024.txt", "Астана_2024.txt"),
        ("ｆｕｌｌ.txt", "full.txt"),
        (".txt", "txt"),
        ("..", "article"),
        ("", "article"),
        ("x" * 300 + ".csv", "x" * intake.NAME_MAX_CHARS + ".csv"),
    ],
)
def test_safe_article_name(given: str, safe: str) -> None:
    assert intake.safe_article_name(given) == safe


def test_a_narrow_manifest_is_widened_without_losing_rows(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text("file,title\nold.txt,Old title\n", encoding="utf-8")
    intake.append_manifest_row(
        tmp_path,
        intake.ArticleMetadata("New", "Wire", "2024-05-02").manifest_row("new.txt"),
    )
    from etl.sources.manifest import read_manifest

    entries, problems = read_manifest(tmp_path)
    assert entries["old.txt"].fields == {"title": "Old title"}
    assert entries["new.txt"].fields["outlet"] == "Wire"
    assert str(entries["new.txt"].fields["published"].iso()) == "2024-05-02"
