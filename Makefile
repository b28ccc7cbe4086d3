# The two set-up commands of the README: `make demo` and `make test`.
# Both install what they need (Debian packages when missing, Python packages into
# .venv) and are safe to run again.

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint format screenshots bench clean

demo: $(STAMP)
	@scripts/system-deps
	$(VENV)/bin/allintop demo $(ARGS)

test: $(STAMP)
	@scripts/system-deps --test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

screenshots: $(STAMP)
	@scripts/system-deps
	$(PY) scripts/screenshots.py

bench: $(STAMP)
	@scripts/system-deps --test
	$(PY) -m bench $(ARGS)

# Reinstall whenever the dependency list changes.
$(STAMP): pyproject.toml
	@scripts/system-deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
