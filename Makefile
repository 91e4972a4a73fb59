# Two commands for a fresh machine: `make run` serves the quiz, `make test` runs every test.
# Both create the virtual environment in .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/flask --app quiz db upgrade
	$(BIN)/flask --app quiz run --host 127.0.0.1 --port 5000

test: $(BIN)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(BIN)/.installed
	$(BIN)/flask --app quiz check

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
