# Two commands do everything: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test bench stress install install-dev install-bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# torch is pinned and installed first: an unpinned torch pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install torch==2.13.0
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -e '.[dev]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(PIP) install -e '.[dev,bench]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-bench: $(VENV)/.installed-bench

run: install
	$(VENV)/bin/newsbot run

test: install-dev
	$(PY) -m pytest -q

bench: install-bench
	$(PY) benchmarks/run.py

stress: install-dev
	$(PY) -m pytest -q -s -m stress tests/stress

clean:
	rm -rf $(VENV) data/*.db data/*.f32 data/*.ann
