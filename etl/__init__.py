"""Initiative Monitor ETL: news articles into a DuckDB warehouse of sourced facts."""
