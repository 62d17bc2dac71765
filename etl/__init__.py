"""Initiative Monitor ETL: turns a folder of news articles into a DuckDB warehouse of sourced facts."""
