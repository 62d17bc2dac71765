"""The marts the ETL builds for the dashboard: limits of their encodings, and validation."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from etl import extract, marts, warehouse
from etl.extract.gazetteer import GazetteerError
from etl.extract.themes import ThemeError


def _initiatives(count: int) -> str:
    return "".join(f'[[initiative]]\nid = "I{n:03d}"\nname = "Initiative Number {n:03d}"\n'
                   f'category = "forum"\ndescription = "A test entry."\n\n'
                   for n in range(count))


def _themes(count: int) -> str:
    return "".join(f'[[theme]]\nname = "theme{n:03d}"\nlabel = "Theme {n:03d}"\n'
                   f'description = "A test theme."\nkeywords = ["word{n:03d}"]\n\n'
                   for n in range(count))


def test_the_gazetteer_loader_refuses_more_initiatives_than_the_masks_hold(
        tmp_path: Path) -> None:
    (tmp_path / "initiatives.toml").write_text(_initiatives(marts.MAX_MASK_BITS),
                                              encoding="utf-8")
    assert len(extract.load_gazetteer(tmp_path).initiatives) == marts.MAX_MASK_BITS
    (tmp_path / "initiatives.toml").write_text(_initiatives(marts.MAX_MASK_BITS + 1),
                                              encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"128 \[\[initiative\]\] entries.*at most 127"):
        extract.load_gazetteer(tmp_path)


def test_the_theme_loader_refuses_more_themes_than_the_masks_hold(tmp_path: Path) -> None:
    (tmp_path / "themes.toml").write_text(_themes(marts.MAX_MASK_BITS), encoding="utf-8")
    assert len(extract.load_themes(tmp_path).themes) == marts.MAX_MASK_BITS
    (tmp_path / "themes.toml").write_text(_themes(marts.MAX_MASK_BITS + 1), encoding="utf-8")
    with pytest.raises(ThemeError, match=r"128 \[\[theme\]\] entries.*at most 127"):
        extract.load_themes(tmp_path)


def test_marts_are_built_in_order_after_the_load(built_warehouse: Path) -> None:
    built = [m.table for m in marts.marts()]
    assert [t for t in built if t in marts.MART_TABLES] == list(marts.MART_TABLES)
    assert [t for t in built if t in marts.MART_VIEWS] == list(marts.MART_VIEWS)
    assert marts.MART_TABLES[0] == "facet_themes" and marts.MART_TABLES[-1] == "facet_claims"
    assert marts.MART_VIEWS == ("curated_events", "curated_memberships", "article_event_years",
                                "events_with_sources", "memberships_with_sources")
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        assert not marts.validate_marts(con)
        # the shipped articles disagree on nothing and name no body the gazetteer lacks
        empty = {"facet_claims", "facet_candidates"}
        for table in marts.MART_TABLES:
            rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert (rows == 0) == (table in empty), table


def test_applying_corrections_rebuilds_only_the_marts_built_from_facts() -> None:
    plan = dict(marts.fact_update_plan(["reviewed_events", "reviewed_memberships"]))
    assert list(plan)[:2] == ["curated_events", "curated_memberships"]
    # an article's number does not depend on facts: its event years are refreshed in place,
    # in the marts that copy them too, and the marts that read only its number stay as they are
    for refreshed in ("facet_articles", "facet_article_themes", "facet_initiative_themes"):
        assert plan[refreshed] == "refresh"
    for unchanged in ("facet_themes", "facet_initiatives", "facet_candidates"):
        assert unchanged not in plan
    for rebuilt in ("facet_events", "facet_memberships", "facet_claims", "events_with_sources"):
        assert plan[rebuilt] == "build"


def test_a_mart_out_of_step_with_its_table_fails_validation(built_warehouse: Path,
                                                            tmp_path: Path) -> None:
    copy = tmp_path / "stale.duckdb"
    shutil.copyfile(built_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("DELETE FROM facet_events WHERE event_no = 1")
        assert marts.validate_marts(con) == [
            ("facet_events", "1 rows: event without its mart row (or one too many)")]
        with pytest.raises(warehouse.WarehouseError, match="event without a known initiative"):
            con.execute("INSERT INTO events SELECT * REPLACE ('x-' || event_id AS event_id, "
                        "'NOPE' AS initiative_id) FROM events LIMIT 1")
            warehouse.seal(con, {})  # rebuilds the marts; the fault is reported where it lies
        con.execute("DELETE FROM events WHERE initiative_id = 'NOPE'")
        con.execute("CREATE OR REPLACE TABLE facet_claims AS SELECT * FROM facet_claims LIMIT 0")
        warehouse.seal(con, {"build_id": "again"})  # the marts are rebuilt whole
        assert not marts.validate_marts(con)


def test_initiative_themes_count_the_sentences_naming_the_one_and_carrying_the_other(
        built_warehouse: Path) -> None:
    """The counts made per article when it is extracted are those of every mention joined
    with every keyword hit on the sentence, as re-derived here."""
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        stored = con.execute("SELECT article_id, initiative_id, theme, sentences "
                             "FROM initiative_themes ORDER BY ALL").fetchall()
        derived = con.execute("""
            SELECT n.article_id, n.initiative_id, t.theme, count(*)
            FROM (SELECT DISTINCT article_id, sentence_no, initiative_id FROM mentions) AS n
            JOIN (SELECT DISTINCT article_id, sentence_no, theme FROM sentence_themes) AS t
                USING (article_id, sentence_no)
            GROUP BY ALL ORDER BY ALL""").fetchall()
        assert len(stored) > 20 and stored == derived
        assert any(row[3] > 1 for row in stored)
        assert con.execute("SELECT count(*) FROM facet_initiative_themes").fetchone()[0] \
            == len(stored)


def test_theme_examples_are_each_articles_best_sentences_and_cut_them_from_its_text(
        built_warehouse: Path) -> None:
    """The examples stored with each article and theme are the sentences matching most of the
    theme's keywords (then in reading order), as re-derived here from every keyword row."""
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        stored = con.execute("""
            SELECT a.article_id, th.theme, e.sentence_no, e.keyword_count, e.keywords,
                   substring(t.text, e.start_char + 1, e.end_char - e.start_char) = s.text
            FROM (SELECT article_no, theme_no, unnest(examples) AS e
                  FROM facet_theme_examples) AS f
            JOIN facet_articles AS a USING (article_no)
            JOIN facet_themes AS th USING (theme_no)
            JOIN articles AS t USING (article_id)
            JOIN sentences AS s ON s.article_id = a.article_id AND s.sentence_no = e.sentence_no
            ORDER BY ALL""").fetchall()
        derived = con.execute("""
            WITH keyed AS (
                SELECT article_id, theme, sentence_no, count(DISTINCT keyword) AS keyword_count,
                       string_agg(DISTINCT keyword, ', ' ORDER BY keyword) AS keywords
                FROM sentence_themes GROUP BY article_id, theme, sentence_no)
            SELECT article_id, theme, sentence_no, keyword_count, keywords, true
            FROM keyed
            QUALIFY row_number() OVER (PARTITION BY article_id, theme
                                       ORDER BY keyword_count DESC, sentence_no) <= $most
            ORDER BY ALL""", {"most": extract.EXAMPLES_PER_THEME}).fetchall()
        assert len(stored) > 20
        assert stored == derived
        assert any(row[3] > 1 for row in stored)  # some sentence matches several keywords
