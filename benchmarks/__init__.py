"""Benchmarks (run as modules: `python -m benchmarks.dashboard_bench`)."""
