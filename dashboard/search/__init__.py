"""Full-text search over the warehouse's sentences: reading a query (`parse`), ranking the
sentences that match it with BM25F in SQL (`rank`), and marking the matched words in a
snippet (`snippet`). The index itself is built by the ETL (etl/search_index.py)."""
