# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_PASSWORD ?= demo-clinic-2026
PYTEST_ARGS ?=

.PHONY: run test bench install chromium lint format clean-data

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

## Start the app on http://127.0.0.1:$(PORT) with the demo clinic (SQLite in ./data unless DATABASE_URL is set).
run: install
	$(BIN)/iptcare migrate --noinput
	$(BIN)/iptcare demo --password '$(DEMO_PASSWORD)'
	@echo ""
	@echo "iptcare is starting on http://127.0.0.1:$(PORT)/accounts/login/  (Ctrl-C stops it)"
	$(BIN)/iptcare runserver 127.0.0.1:$(PORT)

## Run every check and the whole test suite (on PostgreSQL when DATABASE_URL is set).
test: install chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/iptcare check --fail-level WARNING
	$(BIN)/iptcare makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

## Time the busiest pages and API calls on a throwaway SQLite database (BENCH_CLIENTS=2000 by default).
BENCH_CLIENTS ?= 2000
bench: install
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	IPTCARE_DATA_DIR=$$dir DATABASE_URL= $(BIN)/iptcare migrate --noinput -v0 && \
	IPTCARE_DATA_DIR=$$dir DATABASE_URL= $(BIN)/iptcare bench --clients $(BENCH_CLIENTS)

# Browser tests drive Debian's chromium; install it when it is missing (the machine is root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Delete the local SQLite database (the secret key is kept).
clean-data:
	rm -f data/iptcare.sqlite3 data/iptcare.sqlite3-wal data/iptcare.sqlite3-shm
