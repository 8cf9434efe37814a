PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test lint serve bench run demo screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

serve: $(STAMP)
	$(BIN)/ernie-tui serve --port $${PORT:-8765}

bench: $(STAMP)
	$(BIN)/python -m bench

run: $(STAMP)
	$(BIN)/ernie-tui

demo: $(STAMP)
	$(BIN)/ernie-tui --demo

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
