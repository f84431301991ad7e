# make demo / make test do all the set-up they need on a fresh Debian machine.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.baoxue-installed

.PHONY: demo test lint setup setup-test clean

$(STAMP): pyproject.toml
	bash .ci/install-system.sh runtime
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

fonts/.installed: .ci/install-fonts.sh
	bash .ci/install-fonts.sh fonts
	touch $@

setup: $(STAMP) fonts/.installed

setup-test: setup
	bash .ci/install-system.sh test

demo: setup
	$(BIN)/baoxue demo demo-out

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy forms audit cases service supervision cli.py cli_cases.py cli_common.py cli_reconcile.py cli_duties.py cli_round.py cli_worker.py

test: setup-test lint
	$(BIN)/pytest

clean:
	rm -rf demo-out .pytest_cache .mypy_cache .ruff_cache
