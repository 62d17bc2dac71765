"""Tests of the dashboard: pure modules, queries on a real warehouse, and one AppTest per page."""
