# The two set-up commands of the README: `make demo` and `make test`.
# Both install what they need (Debian packages when missing, Python packages into
# .venv) and are safe to run again.

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
# Two stamps: the demo needs only allintop itself; the tests also need the test extras
# (pytest, ruff...), which take most of the install time.
RUNTIME := $(VENV)/.installed-runtime
# Test processes (pytest-xdist; each module stays on one with its servers). Most of a
# live test is waiting on a real server (scrapes, rule evaluations, restarts), so four
# overlap well even on two cores: about 3 minutes instead of 10. WORKERS=0: one process.
WORKERS ?= 4
TESTING := $(VENV)/.installed-test

.PHONY: demo test test-fast lint format screenshots bench clean

demo: $(RUNTIME)
	@scripts/system-deps
	$(VENV)/bin/allintop demo $(ARGS)

test: $(TESTING)
	@scripts/system-deps --test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(PY) -m pytest -n $(WORKERS) --dist loadfile $(ARGS)

# The pure logic and the app on a fake Prometheus: seconds, no server started.
test-fast: $(TESTING)
	$(PY) -m pytest tests/unit tests/fast $(ARGS)

lint: $(TESTING)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

screenshots: $(RUNTIME)
	@scripts/system-deps
	$(PY) scripts/screenshots.py

bench: $(RUNTIME)
	@scripts/system-deps --test
	$(PY) -m bench $(ARGS)

# Reinstall whenever the dependency list changes. The test install includes the
# runtime one, so it renews both stamps.
$(RUNTIME): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(TESTING): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@ $(RUNTIME)

$(PY):
	@scripts/system-deps
	$(PYTHON) -m venv $(VENV)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
