# Every target sets up what it needs: a fresh machine needs only Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
# The pandas baseline of the benchmark runs in an environment of its own (edi_platform/bench/).
BENCH_VENV  := .venv-bench
BENCH_LOCK  := edi_platform/bench/pandas-requirements.lock
BENCH_STAMP := $(BENCH_VENV)/.installed-$(shell cat $(BENCH_LOCK) | cksum | cut -d' ' -f1)
UV_VERSION := 0.13.9
HOST   ?= 127.0.0.1
PORT   ?= 3000

# Debian packages the tests need: Chromium for the browser test of the published report,
# PostgreSQL's server for the warehouse equivalence test (tests/postgres_server.py).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run test bench bench-env dev lint manifest clean chromium postgresql

setup: $(STAMP) dbt_project/target/manifest.json

# --compile-bytecode: Python caches compiled modules only where it may write them, and
# PYTHONDONTWRITEBYTECODE (set on some hosts) forbids it, so every edi, dbt and test
# process compiled Dagster, dbt and matplotlib from source: 8 s of a 16 s start-up.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

# dagster-dbt reads the dbt manifest; it is prepared once here, not at every code load.
dbt_project/target/manifest.json: $(STAMP) $(shell find dbt_project/models dbt_project/seeds dbt_project/macros -type f 2>/dev/null) dbt_project/dbt_project.yml
	$(BIN)/edi prepare-dbt

manifest: $(STAMP)
	$(BIN)/edi prepare-dbt

run: setup
	$(BIN)/edi demo

test: setup chromium postgresql bench-env
	$(BIN)/pytest -n 2 --dist loadgroup

# Times the platform on generated workloads (an ICS year, 2x-8x its size, ten years of
# history, a national year) against DuckDB reading the files and a plain pandas script;
# prints the table, writes build/bench/results.json. docs/performance.md.
bench: setup bench-env
	EDI_BENCH_PANDAS_PYTHON=$(BENCH_VENV)/bin/python $(BIN)/edi bench

bench-env: $(BENCH_STAMP)

$(BENCH_STAMP): $(BENCH_LOCK) $(STAMP)
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BENCH_VENV)/bin/python -r $(BENCH_LOCK)
	rm -f $(BENCH_VENV)/.installed-*
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Debian's server package; the tests start their own throw-away cluster on a free port.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

dev: setup
	EDI_MODE=$${EDI_MODE:-demo} $(BIN)/edi dev --host $(HOST) --port $(PORT)

# pip-audit looks up each version pinned in requirements.lock in PyPI's advisory data
# (the JSON API per release). --strict: a version it could not look up fails the lint,
# so an audit that checked nothing never passes as clean. Where that API is out of
# reach, `make lint AUDIT=no` runs the other checks and says the audit did not run
# (docs/operations.md, "Dependency audit").
lint: $(STAMP)
	$(BIN)/ruff check edi_platform assets tests
	$(BIN)/ruff format --check edi_platform assets tests
	$(BIN)/sqlfluff lint dbt_project/models
	@if [ "$(AUDIT)" = no ]; then \
		echo "pip-audit NOT run (AUDIT=no): requirements.lock was not audited"; \
	else \
		echo "$(BIN)/pip-audit --strict --no-deps --disable-pip -r requirements.lock"; \
		$(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off \
			-r requirements.lock; \
	fi

clean:
	rm -rf $(VENV) $(BENCH_VENV) dbt_project/target dbt_project/logs
