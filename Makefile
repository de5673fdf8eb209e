# Głos — developer entry points. Every target creates and uses .venv and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= $(if $(wildcard glos.toml),glos.toml,config.example.toml)

.PHONY: run demo test test-setup test-slow faults bench lint fmt clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

## run: the main job on embedded defaults (SQLite file, example processes loaded)
run: $(STAMP)
	$(BIN)/glos --config $(CONFIG) run

## demo: a scripted walk through a budget vote in the console channel
demo: $(STAMP)
	$(BIN)/python -m bot.demo

# The tests' environment: GLOS_TEST_DATABASE_URL from tools/setup-test.sh (in .test-env), unless already set.
TEST_ENV := set -a; [ ! -f .test-env ] || . ./.test-env; set +a;

## test-setup: install and start what the tests use for real where apt works (Dovecot, Chromium, PostgreSQL)
test-setup:
	@bash tools/setup-test.sh

## test: the suite without the long runs, on SQLite and PostgreSQL, with Dovecot and Chromium (see test-setup)
test: $(STAMP) test-setup
	@$(TEST_ENV) $(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow and not faults"

## test-slow: the long runs (pabutools on the largest real files, kill -9 in the middle of 1,000 replies, …)
test-slow: $(STAMP) test-setup
	@$(TEST_ENV) $(BIN)/python -m pytest -q -p no:cacheprovider -m "slow and not faults"; status=$$?; \
	if [ $$status -eq 5 ]; then echo "no long runs selected"; exit 0; fi; exit $$status

## faults: the fault suite (kill -9 of glos run during 5,000 ballots, 1,000 e-mails and 10,000 reminders; dropped
## PostgreSQL connections, a restarted IMAP server, SQLite busy, 429/5xx storms); figures in docs/RELIABILITY.md
faults: $(STAMP) test-setup
	@$(TEST_ENV) $(BIN)/python -m pytest -q -p no:cacheprovider -m faults -s tests/faults

## bench: counting and casting benchmarks; figures go to BENCHMARKS.md by hand
bench: $(STAMP)
	$(BIN)/python -m bench

## lint: ruff, mypy and the layer contracts (import-linter, [tool.importlinter] in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .test-env
