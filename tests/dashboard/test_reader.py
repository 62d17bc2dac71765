"""The reader's highlighting: text escaped, spans marked, overlaps and bad offsets safe."""

from __future__ import annotations

from dashboard.reader import Span, highlight_html


def _body(markup: str) -> str:
    return markup.split('<div class="im-reader">', 1)[1].removesuffix("</div>")


def test_script_in_an_article_is_shown_as_text() -> None:
    text = 'Before <script>alert("x")</script> after & <b>bold</b>'
    body = _body(highlight_html(text, []))
    assert "<script>" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "&amp;" in body


def test_mentions_and_dates_are_marked_with_what_was_read() -> None:
    text = "CICA was proposed in October 1992."
    body = _body(highlight_html(text, [Span(0, 4, "mention", "CICA (alias)"),
                                       Span(18, 33, "date", "1992 (event)")]))
    assert body == ('<mark class="mention" title="CICA (alias)">CICA</mark> was proposed '
                    '<mark class="date" title="1992 (event)">in October 1992</mark>.')


def test_overlapping_spans_mark_each_piece_with_every_kind() -> None:
    text = "EXPO 2017 opened"
    body = _body(highlight_html(text, [Span(0, 9, "mention", "EXPO_2017"),
                                       Span(5, 9, "date", "2017")]))
    assert body == ('<mark class="mention" title="EXPO_2017">EXPO </mark>'
                    '<mark class="date mention" title="EXPO_2017; 2017">2017</mark> opened')


def test_labels_are_escaped_inside_attributes() -> None:
    body = _body(highlight_html("Text", [Span(0, 4, "mention", 'A "quoted" <label>')]))
    assert 'title="A &quot;quoted&quot; &lt;label&gt;"' in body


def test_offsets_outside_the_text_are_ignored() -> None:
    text = "short"
    body = _body(highlight_html(text, [Span(3, 99, "date", "x"), Span(4, 4, "date", "y"),
                                       Span(-1, 2, "mention", "z")]))
    assert body == "short"
