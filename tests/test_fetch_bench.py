"""A toy-sized run of the fetch throughput benchmark (`make bench` runs the full size)."""

from __future__ import annotations

from benchmarks import fetch_bench


def test_fetch_bench_fetches_every_page_once_and_nothing_on_the_second_run() -> None:
    figures = fetch_bench.run(hosts=2, pages=3, workers=4)
    assert figures["pages_saved"] == 6 and figures["failed"] == 0
    assert figures["refetch_pages_fetched"] == 0
    assert figures["pages_per_s"] > 0
