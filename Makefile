# articlebot — `make chat` to ask the bundled article, `make test` to run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: chat test lint format telegram bench clean

$(BIN)/articlebot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.test-deps: $(BIN)/articlebot
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

chat: $(BIN)/articlebot
	@$(BIN)/articlebot chat

telegram: $(BIN)/articlebot
	@$(BIN)/articlebot telegram

test: $(VENV)/.test-deps
	$(BIN)/python -m pytest

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache

bench: $(VENV)/.test-deps
	$(BIN)/python benchmarks/bench.py --write
