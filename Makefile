# Two commands for a fresh machine:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PYTEST_ARGS ?= -n 2 -q

.PHONY: demo test install install-test benchmarks clean

demo: $(VENV)/.installed
	$(BIN)/reluscope demo --out reluscope-demo

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# PyTorch first, pinned to the local CPU build: an unpinned torch pulls GBs of CUDA packages.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -q -e '.[test,onnx,geometry,scale,datasets]'
	touch $@

benchmarks: $(VENV)/.installed
	$(BIN)/python benchmarks/unwrap_vs_aletheia.py

clean:
	rm -rf $(VENV) reluscope-demo .pytest_cache
