# Initiative Monitor: build the warehouse from articles and serve the dashboard.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARTICLES ?= data/articles
DB ?= data/warehouse.duckdb

.PHONY: setup etl run test lint lock clean

## setup: create .venv from the pinned lock file (idempotent)
setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## etl: (re)build the warehouse from the article folder
etl: setup
	$(BIN)/python -m etl --articles $(ARTICLES) --db $(DB)

## run: build the warehouse if it is missing or older than the articles, then print its summary
run: setup
	$(BIN)/python -m etl --articles $(ARTICLES) --db $(DB) --if-stale

## test: run the whole test suite
test: setup
	$(BIN)/python -m pytest -q

## lint: ruff over the code
lint: setup
	$(BIN)/ruff check etl dashboard tests

## lock: re-resolve requirements.in into requirements.lock
lock:
	rm -rf /tmp/im-lock-venv && $(PYTHON) -m venv /tmp/im-lock-venv
	/tmp/im-lock-venv/bin/pip install --quiet -r requirements.in
	{ echo "# Pinned, fully resolved dependency set for a reproducible install."; \
	  echo "# Regenerate with: make lock (installs requirements.in into a fresh venv and freezes it)."; \
	  /tmp/im-lock-venv/bin/pip freeze; } > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
