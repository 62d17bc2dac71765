"""Themes: keyword matching rules, per-article scores, the taxonomy file, and the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.extract import (
    EXAMPLES_PER_THEME,
    article_theme_scores,
    initiative_theme_sentences,
    load_themes,
    theme_examples,
)
from etl.extract.sentences import SentenceIndex, split_sentences
from etl.extract.text import fold, word_count
from etl.extract.themes import Theme, ThemeError, build_taxonomy, find_theme_hits
from etl.model import Mention, ThemeHit

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = ROOT / "data" / "reference"
SEED_TRUTH = Path(__file__).parent / "fixtures" / "seed_truth.json"
KEY_THEMES = {
    "security", "nuclear non-proliferation", "democracy & governance", "trade & transport",
    "food security", "climate/water/energy", "religion & interfaith dialogue",
    "disinformation & media", "digitalisation & technology", "economy", "human rights",
    "mediation & peace talks", "multilateral diplomacy", "education & human capital",
    "biosecurity & health",
}


@pytest.fixture(scope="module")
def taxonomy():
    return load_themes(REFERENCE_DIR)


def hits(text: str, taxonomy) -> list[tuple[int, str, str]]:
    sentences = split_sentences(text)
    return [(h.sentence_no, h.theme, h.keyword)
            for h in find_theme_hits(fold(text), SentenceIndex(sentences), taxonomy)]


def small() -> object:
    return build_taxonomy([
        Theme("security", "Security", "d", ("security", "stabilit*", "AI")),
        Theme("food security", "Food", "d", ("food security", "agricultur*")),
        Theme("trade", "Trade", "d", ("transport corridor", "non-proliferation")),
    ])


def test_the_taxonomy_uses_the_answer_key_labels(taxonomy) -> None:
    names = {t.name for t in taxonomy.themes}
    assert names == KEY_THEMES
    for theme in taxonomy.themes:
        assert theme.label and theme.description and theme.keywords


def test_case_plural_stem_hyphen_and_sentence_numbers() -> None:
    taxonomy = small()
    text = "SECURITY matters. Stability and stabilities help.\nTransport-corridors grow."
    assert hits(text, taxonomy) == [
        (1, "security", "security"), (2, "security", "stabilit*"), (2, "security", "stabilit*"),
        (3, "trade", "transport corridor")]
    assert hits("Non proliferation and non-proliferation.", taxonomy) == [
        (1, "trade", "non-proliferation"), (1, "trade", "non-proliferation")]


def test_word_boundaries_and_longest_match_wins() -> None:
    taxonomy = small()
    assert hits("Insecurity is not security; food security is food security.", taxonomy) == [
        (1, "security", "security"), (1, "food security", "food security"),
        (1, "food security", "food security")]
    assert hits("Agricultural output.", taxonomy) == [(1, "food security", "agricultur*")]


def test_capital_keywords_match_exactly() -> None:
    taxonomy = small()
    assert hits("AI deepfakes; the Thai army said ai is fine.", taxonomy) == [
        (1, "security", "AI")]


def test_a_keyword_may_belong_to_one_theme_only() -> None:
    with pytest.raises(ThemeError, match="already"):
        build_taxonomy([Theme("a", "A", "d", ("water",)), Theme("b", "B", "d", ("Water",))])


def test_malformed_theme_file(tmp_path: Path) -> None:
    (tmp_path / "themes.toml").write_text('[[theme]]\nname = "x"\nlabel = "X"\n',
                                         encoding="utf-8")
    with pytest.raises(ThemeError, match="description"):
        load_themes(tmp_path)


def test_the_real_taxonomy_on_varied_sentences(taxonomy) -> None:
    found = {theme for _, theme, _ in hits(
        "The forum discussed food security, energy security and climate change. Digitalisation "
        "and AI are growing. Religious leaders promoted interfaith dialogue. Disinformation "
        "threatens media freedom. The Astana Process hosted peace talks on Syria.", taxonomy)}
    assert {"food security", "climate/water/energy", "digitalisation & technology",
            "religion & interfaith dialogue", "disinformation & media",
            "mediation & peace talks"} <= found
    # 'energy security' and 'food security' are not 'security'
    assert "security" not in {theme for _, theme, _ in hits(
        "It is about food security and energy security.", taxonomy)}


def test_article_theme_scores() -> None:
    theme_hits = [ThemeHit(1, "b", "x"), ThemeHit(1, "a", "y"), ThemeHit(2, "a", "y"),
                  ThemeHit(3, "c", "z")]
    assert article_theme_scores(theme_hits, 500) == [
        ("a", 2, 4.0, 1), ("b", 1, 2.0, 2), ("c", 1, 2.0, 3)]
    assert article_theme_scores([], 0) == []


def test_corpus_themes_agree_with_the_answer_key(taxonomy) -> None:
    """Every dominant theme of the key is in the article's top four; secondary ones are found."""
    from etl.normalize import clean_text

    documents = json.loads(SEED_TRUTH.read_text(encoding="utf-8"))["documents"]
    for name, doc in documents.items():
        text = clean_text((ROOT / "data" / "articles" / name).read_text(encoding="utf-8")).text
        sentences = split_sentences(text)
        theme_hits = find_theme_hits(fold(text), SentenceIndex(sentences), taxonomy)
        ranks = {theme: rank for theme, _, _, rank in
                 article_theme_scores(theme_hits, word_count(text))}
        for expected in doc["themes"]:
            if expected["weight"] == "dominant":
                assert ranks.get(expected["theme"], 99) <= 4, (name, expected["theme"], ranks)
            elif expected["weight"] == "secondary":
                assert expected["theme"] in ranks, (name, expected["theme"])


def test_theme_examples_are_the_sentences_matching_most_keywords_then_the_first() -> None:
    hits = [ThemeHit(4, "economy", "trade"), ThemeHit(1, "economy", "trade"),
            ThemeHit(2, "economy", "trade"), ThemeHit(2, "economy", "investment"),
            ThemeHit(2, "economy", "trade"), ThemeHit(3, "economy", "tariff"),
            ThemeHit(0, "security", "terrorism"), ThemeHit(5, "economy", "growth")]
    examples = theme_examples(hits)
    # sentence 2 matches two distinct keywords (a repeat counts once); then reading order
    assert examples["economy"] == [(2, ["investment", "trade"]), (1, ["trade"]), (3, ["tariff"])]
    assert len(examples["economy"]) == EXAMPLES_PER_THEME
    assert examples["security"] == [(0, ["terrorism"])]
    assert theme_examples([]) == {}


def test_initiative_themes_count_sentences_once_however_often_they_name_or_match() -> None:
    mentions = [Mention(1, "CICA", "CICA", 0, 4, "acronym"),
                Mention(1, "CICA", "the conference", 9, 23, "coreference"),
                Mention(1, "SCO", "SCO", 30, 33, "acronym"),
                Mention(2, "CICA", "It", 40, 42, "coreference"),
                Mention(7, "CICA", "CICA", 90, 94, "acronym")]
    hits = [ThemeHit(1, "security", "terrorism"), ThemeHit(1, "security", "extremism"),
            ThemeHit(1, "economy", "trade"), ThemeHit(2, "security", "security"),
            ThemeHit(3, "economy", "trade")]
    assert initiative_theme_sentences(mentions, hits) == [
        ("CICA", "economy", 1), ("CICA", "security", 2), ("SCO", "economy", 1),
        ("SCO", "security", 1)]
    assert initiative_theme_sentences([], hits) == []
