# Two commands for a fresh machine: `make run` serves the quiz, `make test` runs every test.
# Both create the virtual environment in .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint check clean lock

# Exactly the versions in requirements.lock, checked against its hashes; then the app itself,
# editable, without letting pip pick anything else.
$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# After changing a dependency in pyproject.toml: pins what is new and keeps every other pin.
# LOCK_ARGS=--upgrade moves everything to the newest versions the bounds allow.
lock: $(BIN)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --generate-hashes \
		--custom-compile-command "make lock" --quiet --output-file requirements.lock $(LOCK_ARGS)

run: $(BIN)/.installed
	$(BIN)/flask --app quiz db upgrade
	$(BIN)/flask --app quiz run --host 127.0.0.1 --port 5000

# The whole suite, browser and deployment tests included; Chromium and nginx (with openssl and
# systemd-analyze) are installed first when run as root.
test: $(BIN)/.installed
	@sh scripts/ensure_chromium.sh
	@sh scripts/ensure_debian.sh "the deployment and wrk tests (tests/test_deploy.py, tests/test_bench_latency.py)" \
		/usr/sbin/nginx=nginx openssl=openssl systemd-analyze=systemd wrk=wrk
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (lint and format) and mypy, as .ci/run and the pre-commit hooks run them.
lint: $(BIN)/.installed
	$(BIN)/ruff check quiz tests bench gunicorn.conf.py
	$(BIN)/ruff format --check quiz tests bench gunicorn.conf.py
	$(BIN)/mypy

# The benchmark (bench/run.py): the quiz under gunicorn as deployed against a hello-world app, on
# SQLite and PostgreSQL, as ratios; installs Debian's wrk first when run as root. BENCH_ARGS passes options.
.PHONY: bench
bench: $(BIN)/.installed
	@sh bench/ensure_wrk.sh
	$(BIN)/python -m bench.run $(BENCH_ARGS)

check: $(BIN)/.installed
	$(BIN)/flask --app quiz check

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
