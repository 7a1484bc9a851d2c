# Every target creates .venv when missing and installs the project into it: a fresh machine needs
# nothing but python3 (>= 3.11) and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint golden readme clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/privwatch demo

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/privwatch docs --check

# Golden files are written by this target and reviewed in the diff.
golden: $(STAMP)
	$(BIN)/python tests/make_golden.py

readme: $(STAMP)
	$(BIN)/privwatch docs

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
