# Initiative Monitor: build the warehouse from articles and serve the dashboard.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DISTRIBUTED_STAMP := $(VENV)/.installed-distributed
ARTICLES ?= data/articles
DB ?= data/warehouse.duckdb

.PHONY: setup distributed etl warehouse run serve browser test test-fast lint lock lock-distributed bench accuracy screenshots clean
# The dashboard's address: 127.0.0.1 unless given on the command line (`make run HOST=0.0.0.0`).
# Not `?=`: a HOST variable in the environment (dev containers often export HOST=0.0.0.0) must
# not open the server to the network unasked. The other server defaults (no error details for
# visitors, no usage statistics) live in dashboard/.streamlit/config.toml, beside the app.
HOST := 127.0.0.1
PORT ?= 8501
BENCH_SCALES ?= 1000,10000,100000
BENCH_EXTRACT_MB ?= 0.1,1,10
BENCH_ENGINE_ARTICLES ?= 10000
# Test workers (pytest-xdist): most tests wait on a child build, a server or a browser, so two
# workers keep both cores busy; each test file runs whole in one worker (its fixtures are
# built once), long files first (tests/conftest.py orders them; xdist must not reorder by
# test count). `make test TEST_WORKERS=0` runs everything in one process.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -q $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder)

## setup: create .venv from the pinned lock file (idempotent)
setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## distributed: add the optional Dask engine (`python -m etl --engine dask`) to .venv
distributed: $(DISTRIBUTED_STAMP)

$(DISTRIBUTED_STAMP): $(STAMP) requirements-distributed.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c requirements.lock -r requirements-distributed.lock
	touch $(DISTRIBUTED_STAMP)

## etl: (re)build the warehouse from the article folder
etl: setup
	$(BIN)/python -m etl --articles $(ARTICLES) --db $(DB)

## warehouse: build the warehouse only if it is missing or its input changed
warehouse: setup
	$(BIN)/python -m etl --articles $(ARTICLES) --db $(DB) --if-stale

## run: build the warehouse if needed, then serve the dashboard on http://$(HOST):$(PORT)
run: warehouse
	IM_DB_PATH=$(DB) $(BIN)/python -m streamlit run dashboard/app.py \
		--server.address $(HOST) --server.port $(PORT) --server.headless true

## serve: serve the dashboard on the existing warehouse without rebuilding
serve: setup
	IM_DB_PATH=$(DB) $(BIN)/python -m streamlit run dashboard/app.py \
		--server.address $(HOST) --server.port $(PORT) --server.headless true

## browser: make sure Debian's chromium (browser tests, PNG/SVG export) is installed
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "The browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; \
	  fi; }

## test: lint, then the whole test suite (unit, warehouse, app, browser and load tests), as CI
test: lint browser distributed
	@# every build, server and worker process a test starts imports the project's modules;
	@# where the environment forbids writing bytecode (PYTHONDONTWRITEBYTECODE), each would
	@# compile them from source again, so they are compiled once here
	$(BIN)/python -m compileall -q etl dashboard benchmarks tests > /dev/null
	$(PYTEST)

## test-fast: the inner loop: lint, then every test but the browser and load tests
test-fast: lint distributed
	$(PYTEST) -m "not browser"

## bench: the scale benchmark (generated corpora, ETL, dashboard, load test), then extraction
## seconds per MB of one text of $(BENCH_EXTRACT_MB) MB, the same full build on this machine's
## pool and on Dask with 1 and 2 workers at $(BENCH_ENGINE_ARTICLES) articles, and where a full
## build's time goes; see docs/scaling.md
bench: setup browser distributed
	@# timed as an installed product runs: its modules compiled once, not on every command
	$(BIN)/python -m compileall -q etl dashboard benchmarks > /dev/null
	$(BIN)/python -m benchmarks --scales $(BENCH_SCALES)
	$(BIN)/python -m benchmarks.extract_scaling --sizes $(BENCH_EXTRACT_MB)
	$(BIN)/python -m benchmarks.engine_bench --articles $(BENCH_ENGINE_ARTICLES) --repeat 1
	$(BIN)/python -m benchmarks.fetch_bench --json benchmarks/results/fetch.json
	$(BIN)/python -m benchmarks.profile --json benchmarks/results/profile.json

## accuracy: build warehouses from every answer key found and print extraction precision/recall
## (CORRECTIONS=DIR also applies a corrections folder and scores the curated facts beside)
accuracy: setup
	$(BIN)/python -m benchmarks.extraction_accuracy $(if $(CORRECTIONS),--corrections $(CORRECTIONS))

## screenshots: regenerate docs/screenshots/ from the running app in headless Chromium
screenshots: warehouse
	IM_DB_PATH=$(DB) $(BIN)/python -m tests.e2e.screenshots docs/screenshots

## lint: ruff over the code, mypy over etl and dashboard, and the import contracts
lint: setup
	$(BIN)/ruff check etl dashboard tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## lock: re-resolve requirements.in into requirements.lock
lock:
	rm -rf /tmp/im-lock-venv && $(PYTHON) -m venv /tmp/im-lock-venv
	/tmp/im-lock-venv/bin/pip install --quiet -r requirements.in
	{ echo "# Pinned, fully resolved dependency set for a reproducible install."; \
	  echo "# Regenerate with: make lock (installs requirements.in into a fresh venv and freezes it)."; \
	  /tmp/im-lock-venv/bin/pip freeze --all | grep -v "^pip=="; } > requirements.lock

## lock-distributed: re-resolve the Dask engine's pins against requirements.lock
lock-distributed:
	rm -rf /tmp/im-lock-venv && $(PYTHON) -m venv /tmp/im-lock-venv
	/tmp/im-lock-venv/bin/pip install --quiet -r requirements.lock
	/tmp/im-lock-venv/bin/pip freeze --all > /tmp/im-lock-base.txt
	/tmp/im-lock-venv/bin/pip install --quiet -c requirements.lock "dask[distributed]"
	{ sed -n '1,/^# Regenerate/p' requirements-distributed.lock; \
	  /tmp/im-lock-venv/bin/pip freeze --all | grep -v -x -F -f /tmp/im-lock-base.txt; \
	} > requirements-distributed.lock.new && mv requirements-distributed.lock.new \
		requirements-distributed.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
