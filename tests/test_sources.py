"""Reading article files: every accepted format, the SOURCE header, the manifest and metadata.

Real files are written to tmp_path and read back through `read_corpus`; nothing is mocked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.model import PublicationDate, SourceRecord
from etl.settings import PROJECT_ROOT
from etl.sources import read_corpus
from etl.sources.dates import parse_published
from etl.sources.discover import discover_files

LIMIT = 20 * 1024 * 1024
CORPUS_DIR = PROJECT_ROOT / "data" / "articles"
BODY = (
    "Kazakhstan proposed CICA, the Asian security forum, in October 1992.\n\n"
    "The forum met again in Astana this week."
)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    """Write a text (UTF-8) or binary file under `folder`, creating sub-folders."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def read(folder: Path) -> tuple[list[SourceRecord], list]:
    return read_corpus(folder, LIMIT)


def only(records: list[SourceRecord], source_file: str) -> SourceRecord:
    matching = [record for record in records if record.source_file == source_file]
    assert len(matching) == 1, [record.source_file for record in records]
    return matching[0]


# --- the shipped corpus ----------------------------------------------------------------------


def test_corpus_loads_every_file_with_manifest_metadata() -> None:
    records, problems = read(CORPUS_DIR)
    assert problems == []
    assert [record.source_file for record in records] == sorted(
        path.name for path in CORPUS_DIR.glob("*.txt")
    )
    bernama = only(records, "001_392bb672fc95fe25.txt")
    assert bernama.outlet == "NNN-Bernama"
    assert bernama.author == "R. Ravichandran"
    assert bernama.published == PublicationDate(2023, 7, 16)
    assert bernama.metadata_sources["author"] == "manifest"
    assert bernama.encoding == "utf-8" and bernama.file_format == "txt"
    untitled = only(records, "004_a88e377181d9ef0c.txt")
    assert untitled.title is None and untitled.outlet is None
    assert untitled.published == PublicationDate(2020, 12)
    assert untitled.metadata_sources == {"published": "manifest"}


def test_corpus_raw_text_is_the_file_unchanged() -> None:
    records, _ = read(CORPUS_DIR)
    for record in records:
        assert record.raw_text == (CORPUS_DIR / record.source_file).read_text(encoding="utf-8")


# --- discovery and order -----------------------------------------------------------------------


def test_walks_subfolders_in_sorted_order_and_skips_hidden(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", BODY)
    write(tmp_path, "a.txt", BODY + " A")
    write(tmp_path, "sub/c.txt", BODY + " C")
    write(tmp_path, "sub/deeper/a.md", BODY + " D")
    write(tmp_path, ".hidden.txt", BODY)
    write(tmp_path, ".git/config.txt", BODY)
    write(tmp_path, "sub/.cache/x.txt", BODY)
    write(tmp_path, "manifest.csv", "file,title\n")
    records, problems = read(tmp_path)
    assert problems == []
    assert [record.source_file for record in records] == [
        "a.txt",
        "b.txt",
        "sub/c.txt",
        "sub/deeper/a.md",
    ]
    assert [p.relative_to(tmp_path).as_posix() for p in discover_files(tmp_path)] == [
        "a.txt",
        "b.txt",
        "sub/c.txt",
        "sub/deeper/a.md",
    ]


def test_records_of_a_file_follow_record_number(tmp_path: Path) -> None:
    lines = [json.dumps({"text": f"Article number {n} about Astana."}) for n in range(1, 4)]
    write(tmp_path, "a.jsonl", "\n".join(lines))
    write(tmp_path, "0.txt", BODY)
    records, _ = read(tmp_path)
    assert [(r.source_file, r.record_no) for r in records] == [
        ("0.txt", None),
        ("a.jsonl", 1),
        ("a.jsonl", 2),
        ("a.jsonl", 3),
    ]


# --- plain text ----------------------------------------------------------------------------


def test_txt_is_one_record_with_no_metadata(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", BODY)
    records, problems = read(tmp_path)
    assert problems == []
    record = only(records, "a.txt")
    assert record.raw_text == BODY
    assert record.record_no is None
    assert record.file_format == "txt" and record.encoding == "utf-8"
    assert record.title is None and record.metadata_sources == {}


# --- markdown front matter -------------------------------------------------------------------


def test_markdown_front_matter_gives_metadata(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.md",
        "---\ntitle: CICA at thirty\noutlet: The Astana Times\nauthor: Aida Nurpeis\n"
        "url: https://astanatimes.com/cica-at-thirty\npublished: 2022-10-12\n---\n" + BODY,
    )
    records, problems = read(tmp_path)
    assert problems == []
    record = only(records, "a.md")
    assert record.file_format == "md"
    assert record.raw_text.strip() == BODY
    assert (record.title, record.outlet, record.author) == (
        "CICA at thirty",
        "The Astana Times",
        "Aida Nurpeis",
    )
    assert record.url == "https://astanatimes.com/cica-at-thirty"
    assert record.published == PublicationDate(2022, 10, 12)
    assert record.metadata_sources == dict.fromkeys(
        ("title", "outlet", "author", "url", "published"), "front_matter"
    )


def test_markdown_front_matter_aliases_and_partial_dates(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\nsource: Kazinform\ndate: 2023-07\n---\n" + BODY)
    write(tmp_path, "b.md", "---\npublisher: Tengrinews\ndate: 2021\n---\n" + BODY)
    records, problems = read(tmp_path)
    assert problems == []
    first, second = records
    assert (first.outlet, first.published) == ("Kazinform", PublicationDate(2023, 7))
    assert (second.outlet, second.published) == ("Tengrinews", PublicationDate(2021))


def test_markdown_without_front_matter_is_plain_text(tmp_path: Path) -> None:
    write(tmp_path, "a.md", BODY)
    records, problems = read(tmp_path)
    assert problems == []
    assert records[0].raw_text == BODY and records[0].metadata_sources == {}


def test_markdown_rules_around_prose_are_not_front_matter(tmp_path: Path) -> None:
    text = "---\nKazakhstan proposed CICA in 1992.\n---\nThe first summit met in 2002."
    write(tmp_path, "a.md", text)
    records, problems = read(tmp_path)
    assert problems == []
    assert records[0].raw_text == text and records[0].metadata_sources == {}


# --- html -----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<title>Kazakhstan hosts security forum | The Steppe Courier</title>
<meta property="og:title" content="Kazakhstan hosts security forum in Astana">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2023-07-16T10:00:00Z">
<meta property="og:site_name" content="The Steppe Courier">
<link rel="canonical" href="https://steppecourier.example/news/security-forum">
</head><body>
<div id="cookie-banner">We use cookies to improve your experience. Accept all cookies.</div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
<li><a href="/politics">Politics</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav>
</header>
<main><article>
<h1>Kazakhstan hosts security forum in Astana</h1>
<p>ASTANA, July 16 — The Central Asian Security and Cooperation Forum closed in Astana on Friday
after two days of talks among experts from 25 countries.</p>
<p>The forum was organised by the Kazakhstan Institute for Strategic Studies and the Ministry of
Foreign Affairs, and it focused on regional security cooperation.</p>
<p>Speakers discussed CICA, the Asian security forum that Kazakhstan put to the United Nations
General Assembly in 1992.</p>
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/x">Football club wins cup final</a></li></ul></aside>
<footer><p>Copyright 2023 The Steppe Courier. All rights reserved.</p>
<a href="/privacy">Privacy policy</a></footer>
</body></html>
"""


def test_html_keeps_the_article_and_drops_page_chrome(tmp_path: Path) -> None:
    write(tmp_path, "page.html", PAGE)
    records, problems = read(tmp_path)
    assert problems == []
    record = only(records, "page.html")
    assert record.file_format == "html"
    text = record.raw_text
    assert "two days of talks among experts from 25 countries" in text
    assert "General Assembly in 1992." in text
    for chrome in ("We use cookies", "Politics", "Football club", "All rights reserved", "Privacy"):
        assert chrome not in text
    assert "\n\nThe forum was organised" in text  # paragraphs separated by a blank line


def test_html_metadata_comes_from_the_page(tmp_path: Path) -> None:
    write(tmp_path, "page.htm", PAGE)
    records, _ = read(tmp_path)
    record = only(records, "page.htm")
    assert record.title == "Kazakhstan hosts security forum in Astana"
    assert record.author == "Jane Doe"
    assert record.url == "https://steppecourier.example/news/security-forum"
    assert record.outlet == "The Steppe Courier"
    assert record.published == PublicationDate(2023, 7, 16)
    assert set(record.metadata_sources.values()) == {"record"}


def test_html_fragment_falls_back_to_beautifulsoup(tmp_path: Path) -> None:
    write(tmp_path, "fragment.html", "<p>Kazakhstan proposed CICA in 1992.</p>")
    records, problems = read(tmp_path)
    assert problems == []
    assert records[0].raw_text == "Kazakhstan proposed CICA in 1992."


# --- csv and jsonl ----------------------------------------------------------------------------


def test_csv_has_one_record_per_row(tmp_path: Path) -> None:
    write(
        tmp_path,
        "batch.csv",
        "title,outlet,author,url,published,text\n"
        'CICA summit,Kazinform,A. Writer,https://kazinform.example/1,2022-10-13,"Leaders met in '
        'Astana, and agreed to transform CICA.\n\nA second paragraph."\n'
        "AIF opens,The Astana Times,,,June 8 2023,The Astana International Forum opened today.\n"
        ",,,,,Untitled text about the Congress of Leaders of World and Traditional Religions.\n",
    )
    records, problems = read(tmp_path)
    assert problems == []
    assert [r.record_no for r in records] == [1, 2, 3]
    first, second, third = records
    assert first.file_format == "csv"
    assert (
        first.raw_text
        == "Leaders met in Astana, and agreed to transform CICA.\n\nA second paragraph."
    )
    assert (first.title, first.outlet, first.author) == ("CICA summit", "Kazinform", "A. Writer")
    assert first.published == PublicationDate(2022, 10, 13)
    assert first.metadata_sources == dict.fromkeys(
        ("title", "outlet", "author", "url", "published"), "record"
    )
    assert second.author is None and "author" not in second.metadata_sources
    assert second.published == PublicationDate(2023, 6, 8)
    assert third.title is None and third.metadata_sources == {}


def test_csv_column_aliases_and_semicolons(tmp_path: Path) -> None:
    write(
        tmp_path,
        "export.csv",
        "Body;Source;Date;Headline\n"
        "Kazakhstan chairs CICA from 2020.;Kazinform;2020-09;ignored column\n",
    )
    records, problems = read(tmp_path)
    assert problems == []
    record = records[0]
    assert record.raw_text == "Kazakhstan chairs CICA from 2020."
    assert record.outlet == "Kazinform"
    assert record.published == PublicationDate(2020, 9)


def test_jsonl_has_one_record_per_line(tmp_path: Path) -> None:
    rows = [
        {"text": "First article about IOFS.", "title": "IOFS", "published": "2021-06-15"},
        {"content": "Second article.", "publisher": "Tengrinews", "published_at": "2023"},
        {
            "body": "Third article.",
            "source": "Kursiv",
            "date": "16 July 2023",
            "author": ["A", "B"],
        },
    ]
    write(tmp_path, "feed.jsonl", "\n".join(json.dumps(row) for row in rows) + "\n")
    records, problems = read(tmp_path)
    assert problems == []
    assert [r.record_no for r in records] == [1, 2, 3]
    assert [r.raw_text for r in records] == [
        "First article about IOFS.",
        "Second article.",
        "Third article.",
    ]
    assert records[0].title == "IOFS" and records[0].published == PublicationDate(2021, 6, 15)
    assert records[1].outlet == "Tengrinews" and records[1].published == PublicationDate(2023)
    assert records[2].outlet == "Kursiv" and records[2].author == "A, B"
    assert records[2].published == PublicationDate(2023, 7, 16)
    assert all(r.file_format == "jsonl" for r in records)


def test_jsonl_text_may_contain_unicode_line_separators(tmp_path: Path) -> None:
    text = "Line one\u2028still the same JSON line."
    write(tmp_path, "feed.jsonl", json.dumps({"text": text}, ensure_ascii=False))
    records, problems = read(tmp_path)
    assert problems == [] and records[0].raw_text == text


# --- the SOURCE: header ------------------------------------------------------------------------


def test_source_header_with_url_gives_url_and_outlet(tmp_path: Path) -> None:
    rest = "Kazakhstan Hopes To Contribute\n\nBy\n\n" + BODY + "\n"
    write(
        tmp_path, "h.txt", "SOURCE: https://www.eurasiareview.com/08062023-kazakhstan/\n\n" + rest
    )
    records, problems = read(tmp_path)
    assert problems == []
    record = records[0]
    assert record.raw_text == rest
    assert record.url == "https://www.eurasiareview.com/08062023-kazakhstan/"
    assert record.outlet == "eurasiareview.com"
    assert record.metadata_sources == {"url": "header", "outlet": "header"}


def test_source_header_with_a_name_gives_outlet(tmp_path: Path) -> None:
    write(tmp_path, "h.txt", "SOURCE: The Diplomat\r\n\r\n" + BODY)
    records, _ = read(tmp_path)
    assert records[0].raw_text == BODY
    assert records[0].outlet == "The Diplomat" and records[0].url is None
    assert records[0].metadata_sources == {"outlet": "header"}


def test_source_line_without_blank_line_is_not_a_header(tmp_path: Path) -> None:
    text = "SOURCE: The Diplomat\n" + BODY
    write(tmp_path, "h.txt", text)
    records, _ = read(tmp_path)
    assert records[0].raw_text == text and records[0].outlet is None


# --- manifest precedence ---------------------------------------------------------------------


def test_manifest_beats_front_matter_beats_header(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.md",
        "---\ntitle: Front matter title\nauthor: Front Author\npublished: 2023-01-05\n---\n"
        "SOURCE: https://www.example.org/story\n\n" + BODY,
    )
    write(
        tmp_path,
        "manifest.csv",
        "file,title,outlet,author,url,published,date_precision,date_note\n"
        "a.md,Manifest title,,,,2023-07-16,month,checked by hand\n",
    )
    records, problems = read(tmp_path)
    assert problems == []
    record = records[0]
    assert record.title == "Manifest title"
    assert record.author == "Front Author"  # empty manifest cell does not override
    assert record.url == "https://www.example.org/story"
    assert record.outlet == "example.org"
    assert record.published == PublicationDate(2023, 7)  # date_precision honoured
    assert record.metadata_sources == {
        "title": "manifest",
        "author": "front_matter",
        "url": "header",
        "outlet": "header",
        "published": "manifest",
    }
    assert record.raw_text == BODY


def test_manifest_paths_in_subfolders(tmp_path: Path) -> None:
    write(tmp_path, "2023/july/a.txt", BODY)
    write(tmp_path, "manifest.csv", "file,outlet\n2023\\july\\a.txt,Kazinform\n")
    records, problems = read(tmp_path)
    assert problems == []
    assert records[0].outlet == "Kazinform"


def test_manifest_row_for_csv_applies_to_no_record(tmp_path: Path) -> None:
    write(tmp_path, "batch.csv", "text,title\nFirst text.,One\nSecond text.,\n")
    write(tmp_path, "manifest.csv", "file,title,outlet\nbatch.csv,Manifest title,Manifest outlet\n")
    records, problems = read(tmp_path)
    assert [r.title for r in records] == ["One", None]
    assert all(r.outlet is None for r in records)
    assert len(problems) == 1
    assert problems[0].source_file == "batch.csv" and problems[0].severity == "warning"
    assert "not applied" in problems[0].reason and "manifest.csv line 2" in problems[0].reason


def test_manifest_with_unreadable_date_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", BODY)
    write(tmp_path, "manifest.csv", "file,title,published\na.txt,A title,sometime in summer\n")
    records, problems = read(tmp_path)
    assert records[0].title == "A title" and records[0].published is None
    assert [(p.source_file, p.severity) for p in problems] == [("a.txt", "warning")]
    assert "sometime in summer" in problems[0].reason


# --- publication dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-07-16", PublicationDate(2023, 7, 16)),
        ("2025-06", PublicationDate(2025, 6)),
        ("2023", PublicationDate(2023)),
        ("July 16, 2023", PublicationDate(2023, 7, 16)),
        ("16 July 2023", PublicationDate(2023, 7, 16)),
        ("2023-07-16T10:00:00Z", PublicationDate(2023, 7, 16)),
        ("2023-07-16 10:00", PublicationDate(2023, 7, 16)),
        ("Sun, 16 Jul 2023 10:00:00 +0000", PublicationDate(2023, 7, 16)),
        ("Sunday, July 16th, 2023", PublicationDate(2023, 7, 16)),
        ("Sept 2020", PublicationDate(2020, 9)),
        ("16.07.2023", PublicationDate(2023, 7, 16)),
        ("16/07/2023", PublicationDate(2023, 7, 16)),
        ("07/16/2023", PublicationDate(2023, 7, 16)),
        ("  2023-7-6 ", PublicationDate(2023, 7, 6)),
    ],
)
def test_parse_published_reads_common_forms(value: str, expected: PublicationDate) -> None:
    assert parse_published(value) == expected


@pytest.mark.parametrize(
    "value", ["", "garbage", "2023-02-30", "2023-13", "05/06/2023", "yesterday", "123"]
)
def test_parse_published_refuses_what_it_cannot_read(value: str) -> None:
    assert parse_published(value) is None
