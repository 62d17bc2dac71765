"""Bad input at the reader level: each case yields a Problem naming the file and saying why,
and the good file next to it still loads. Real files in tmp_path; nothing is mocked.

Tests run as root, so 'unreadable' is exercised with a broken symlink and a folder named x.txt
rather than chmod 000.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from etl.model import Problem, SourceRecord
from etl.sources import read_corpus
from etl.sources.decode import decode_bytes

LIMIT = 20 * 1024 * 1024
GOOD_TEXT = "Kazakhstan put forward the idea of CICA at a UN session in 1992."
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"


def folder_with_good_file(tmp_path: Path) -> Path:
    """An articles folder that already holds one good article, good.txt."""
    (tmp_path / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    return tmp_path


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def read(folder: Path, limit: int = LIMIT) -> tuple[list[SourceRecord], list[Problem]]:
    return read_corpus(folder, limit)


def problem_for(problems: list[Problem], source_file: str) -> Problem:
    """The single problem about `source_file`; fails if there is none or several."""
    matching = [p for p in problems if p.source_file == source_file]
    assert len(matching) == 1, [p.message() for p in problems]
    return matching[0]


def assert_good_file_loaded(records: list[SourceRecord]) -> None:
    good = [r for r in records if r.source_file == "good.txt"]
    assert len(good) == 1 and good[0].raw_text == GOOD_TEXT


# --- empty and binary files ------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "empty.txt", b"")
    records, problems = read(folder)
    problem = problem_for(problems, "empty.txt")
    assert "empty" in problem.reason and problem.severity == "error"
    assert_good_file_loaded(records)
    assert "empty.txt" in problem.message()


def test_whitespace_only_file(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "blank.md", " \n\t\n  \r\n")
    records, problems = read(folder)
    assert "only whitespace" in problem_for(problems, "blank.md").reason
    assert_good_file_loaded(records)


def test_whitespace_only_utf16_file(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "blank16.txt", " \n \u00a0\n".encode("utf-16"))
    records, problems = read(folder)
    assert "only whitespace" in problem_for(problems, "blank16.txt").reason
    assert_good_file_loaded(records)


def test_png_renamed_txt(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "photo.txt", PNG_HEADER + bytes(range(256)))
    records, problems = read(folder)
    reason = problem_for(problems, "photo.txt").reason
    assert "not text" in reason and "PNG image" in reason
    assert_good_file_loaded(records)


def test_zip_renamed_txt(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    folder = folder_with_good_file(tmp_path)
    write(folder, "report.txt", buffer.getvalue())
    records, problems = read(folder)
    reason = problem_for(problems, "report.txt").reason
    assert "ZIP archive" in reason and ".docx" in reason
    assert_good_file_loaded(records)


def test_unknown_binary_with_nul_bytes(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "blob.txt", b"\x13\x37\x00\x01\x02binary\x00\xff\xfe\x00\x00data" * 20)
    records, problems = read(folder)
    assert "NUL bytes" in problem_for(problems, "blob.txt").reason
    assert_good_file_loaded(records)


def test_text_full_of_control_characters(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "controls.txt", b"\x01\x02\x03\x04\x05\x06 abc \x07\x08\x0e\x0f" * 30)
    records, problems = read(folder)
    assert "control characters" in problem_for(problems, "controls.txt").reason
    assert_good_file_loaded(records)


# --- encodings -------------------------------------------------------------------------------

RUSSIAN = (
    "Казахстан выступил с инициативой созыва Совещания по взаимодействию и мерам доверия в "
    "Азии в 1992 году.\n\nПрезидент Токаев заявил, что страна продолжит многовекторную "
    "внешнюю политику."
)
FRENCH = (
    "Le Kazakhstan a proposé la création de la Conférence pour l'interaction et les mesures de "
    "confiance en Asie. Le président a déclaré que l'été serait décisif pour la sécurité."
)
GERMAN = (
    "Kasachstan schlug 1992 die Gründung der Konferenz über Zusammenarbeit und "
    "vertrauensbildende Maßnahmen in Asien vor. Die Außenminister trafen sich in Astana."
)


@pytest.mark.parametrize(
    ("name", "text", "codec", "expected_encoding"),
    [
        ("russian.txt", RUSSIAN, "cp1251", "cp1251"),
        ("french.txt", FRENCH, "cp1252", "cp1252"),
        ("french_latin1.txt", "Le président a déclaré: «Nous sommes prêts».", "latin-1", "cp1252"),
        ("german.txt", GERMAN, "cp1252", "cp1252"),
        ("utf16.txt", RUSSIAN, "utf-16", "utf-16"),
        ("utf8bom.txt", FRENCH, "utf-8-sig", "utf-8-sig"),
    ],
)
def test_non_utf8_text_is_decoded(
    tmp_path: Path, name: str, text: str, codec: str, expected_encoding: str
) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, name, text.encode(codec))
    records, problems = read(folder)
    assert problems == []
    record = next(r for r in records if r.source_file == name)
    assert record.raw_text == text
    assert record.encoding == expected_encoding
    assert_good_file_loaded(records)


def test_bomless_utf16_is_decoded() -> None:
    assert decode_bytes(GOOD_TEXT.encode("utf-16-le")) == (GOOD_TEXT, "utf-16-le")
    assert decode_bytes(RUSSIAN.encode("utf-16-be")) == (RUSSIAN, "utf-16-be")


def test_utf8_with_one_stray_byte_is_not_turned_into_mojibake(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    text = "Kazakhstan’s “multi-vector” policy — Astanā. " * 20
    data = text.encode("utf-8")
    write(folder, "stray.txt", data[:300] + b"\x92" + data[300:])
    records, problems = read(folder)
    problem = problem_for(problems, "stray.txt")
    assert problem.severity == "warning" and "1 invalid byte" in problem.reason
    record = next(r for r in records if r.source_file == "stray.txt")
    assert record.encoding == "utf-8"
    assert record.raw_text.count("\ufffd") == 1
    assert record.raw_text.replace("\ufffd", "") == text
    assert_good_file_loaded(records)


def test_undecodable_bytes(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "mojibake.txt", bytes(range(0x80, 0x100)) * 4)
    records, problems = read(folder)
    reason = problem_for(problems, "mojibake.txt").reason
    assert "encoding could not be recognised" in reason and "UTF-8" in reason
    assert_good_file_loaded(records)


def test_bad_utf16_after_a_bom(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "broken16.txt", b"\xff\xfeA\x00\x00\xd8")  # lone surrogate
    records, problems = read(folder)
    assert "byte-order mark" in problem_for(problems, "broken16.txt").reason
    assert_good_file_loaded(records)


# --- size, type and readability ----------------------------------------------------------------


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "huge.txt", "Astana. " * 400)
    records, problems = read(folder, limit=1024)
    reason = problem_for(problems, "huge.txt").reason
    assert "1.0 KB limit" in reason and "IM_MAX_FILE_BYTES" in reason
    assert_good_file_loaded(records)


@pytest.mark.parametrize("name", ["brief.pdf", "brief.docx", "README"])
def test_unknown_extension(tmp_path: Path, name: str) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, name, b"%PDF-1.7 whatever")
    records, problems = read(folder)
    reason = problem_for(problems, name).reason
    assert "not read" in reason and ".txt, .md, .html/.htm, .csv and .jsonl" in reason
    assert_good_file_loaded(records)


def test_broken_symlink(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    os.symlink(tmp_path / "nowhere.txt", folder / "link.txt")
    records, problems = read(folder)
    reason = problem_for(problems, "link.txt").reason
    assert "link" in reason and "does not exist" in reason
    assert_good_file_loaded(records)


def test_folder_named_like_a_text_file(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    (folder / "x.txt").mkdir()
    (folder / "x.txt" / "inner.txt").write_text(GOOD_TEXT + " Inner.", encoding="utf-8")
    records, problems = read(folder)
    assert "is a folder" in problem_for(problems, "x.txt").reason
    assert_good_file_loaded(records)
    assert any(r.source_file == "x.txt/inner.txt" for r in records)


def test_named_pipe_is_not_read(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    records, problems = read(folder)
    assert "not a regular file" in problem_for(problems, "pipe.txt").reason
    assert_good_file_loaded(records)


# --- csv -----------------------------------------------------------------------------------


def test_csv_record_with_empty_text(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "batch.csv", "title,text\nOne,First text.\nTwo,\nThree,Third text.\n")
    records, problems = read(folder)
    problem = problem_for(problems, "batch.csv")
    assert problem.record_no == 2 and "empty text field" in problem.reason
    assert [r.raw_text for r in records if r.source_file == "batch.csv"] == [
        "First text.",
        "Third text.",
    ]
    assert_good_file_loaded(records)


def test_csv_with_unbalanced_quotes(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(
        folder,
        "batch.csv",
        'title,text\nOne,First text.\nTwo,"Second text never closes.\nThree,Third text.\n'
        'Four,"Fourth, quoted, text."\n',
    )
    records, problems = read(folder)
    problem = problem_for(problems, "batch.csv")
    assert problem.record_no == 2
    assert "line 3" in problem.reason and "quote" in problem.reason
    loaded = [(r.record_no, r.raw_text) for r in records if r.source_file == "batch.csv"]
    assert loaded == [(1, "First text."), (3, "Third text."), (4, "Fourth, quoted, text.")]
    assert_good_file_loaded(records)


def test_csv_quote_that_never_closes_at_end_of_file(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "batch.csv", 'title,text\nOne,First text.\nTwo,"Never closed\n')
    records, problems = read(folder)
    problem = problem_for(problems, "batch.csv")
    assert problem.record_no == 2 and "never closed" in problem.reason
    assert [r.raw_text for r in records if r.source_file == "batch.csv"] == ["First text."]


def test_csv_record_with_too_many_fields(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "batch.csv", "title,text\nOne,First text.\nTwo,Second, unquoted comma\n")
    records, problems = read(folder)
    problem = problem_for(problems, "batch.csv")
    assert problem.record_no == 2 and "3 fields" in problem.reason and "2 columns" in problem.reason
    assert [r.raw_text for r in records if r.source_file == "batch.csv"] == ["First text."]


def test_csv_without_a_text_column(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "batch.csv", "title,outlet\nOne,Kazinform\n")
    records, problems = read(folder)
    reason = problem_for(problems, "batch.csv").reason
    assert "no text column" in reason and "title, outlet" in reason
    assert_good_file_loaded(records)


def test_csv_with_only_a_header(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "batch.csv", "title,text\n")
    records, problems = read(folder)
    assert "no records" in problem_for(problems, "batch.csv").reason
    assert_good_file_loaded(records)


# --- jsonl --------------------------------------------------------------------------------------


def test_jsonl_bad_lines_are_problems_for_those_lines_only(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    lines = [
        json.dumps({"text": "First article."}),
        '{"text": "broken JSON",',
        json.dumps(["a", "list"]),
        json.dumps({"title": "no text here"}),
        json.dumps({"text": "   "}),
        json.dumps({"text": 42}),
        json.dumps({"text": "Last article."}),
    ]
    write(folder, "feed.jsonl", "\n".join(lines))
    records, problems = read(folder)
    loaded = [(r.record_no, r.raw_text) for r in records if r.source_file == "feed.jsonl"]
    assert loaded == [(1, "First article."), (7, "Last article.")]
    by_line = {p.record_no: p.reason for p in problems if p.source_file == "feed.jsonl"}
    assert set(by_line) == {2, 3, 4, 5, 6}
    assert "not valid JSON" in by_line[2]
    assert "JSON list, not an object" in by_line[3]
    assert "no text field" in by_line[4]
    assert "empty text field" in by_line[5]
    assert "not a string" in by_line[6]
    assert_good_file_loaded(records)


# --- markdown, html, header-only ----------------------------------------------------------------


def test_markdown_with_broken_front_matter_still_loads(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "a.md", "---\ntitle: [unclosed\nauthor: x: y: z\n---\n" + GOOD_TEXT)
    records, problems = read(folder)
    problem = problem_for(problems, "a.md")
    assert problem.severity == "warning" and "front matter" in problem.reason
    record = next(r for r in records if r.source_file == "a.md")
    assert record.raw_text == GOOD_TEXT and record.title is None


def test_unreadable_date_in_front_matter_is_a_warning(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "a.md", "---\ntitle: T\npublished: last Tuesday\n---\n" + GOOD_TEXT)
    records, problems = read(folder)
    problem = problem_for(problems, "a.md")
    assert problem.severity == "warning" and "last Tuesday" in problem.reason
    record = next(r for r in records if r.source_file == "a.md")
    assert record.title == "T" and record.published is None


def test_html_without_article_text(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "page.html", "<html><head><script>var x = 1;</script></head><body></body></html>")
    records, problems = read(folder)
    assert "no article text" in problem_for(problems, "page.html").reason
    assert_good_file_loaded(records)


def test_file_with_only_a_source_header(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "header.txt", "SOURCE: https://example.org/a\n\n  \n")
    records, problems = read(folder)
    assert "no article text" in problem_for(problems, "header.txt").reason
    assert_good_file_loaded(records)


# --- manifest -------------------------------------------------------------------------------


def test_manifest_row_naming_a_missing_file(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "manifest.csv", "file,title\ngood.txt,Good\nmissing.txt,Gone\n")
    records, problems = read(folder)
    reason = problem_for(problems, "missing.txt").reason
    assert "manifest.csv line 3" in reason and "no such file" in reason
    assert_good_file_loaded(records)
    assert records[0].title == "Good"


def test_manifest_without_a_file_column_is_ignored(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "manifest.csv", "name,title\ngood.txt,Good\n")
    records, problems = read(folder)
    problem = problem_for(problems, "manifest.csv")
    assert problem.severity == "warning" and "'file' column" in problem.reason
    assert_good_file_loaded(records)
    assert records[0].title is None


def test_binary_manifest_is_ignored(tmp_path: Path) -> None:
    folder = folder_with_good_file(tmp_path)
    write(folder, "manifest.csv", PNG_HEADER)
    records, problems = read(folder)
    assert "manifest was ignored" in problem_for(problems, "manifest.csv").reason
    assert_good_file_loaded(records)


def test_missing_articles_folder(tmp_path: Path) -> None:
    records, problems = read(tmp_path / "nope")
    assert records == [] and "does not exist" in problems[0].reason
