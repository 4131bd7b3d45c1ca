# make run  : install, fetch + verify models, ingest seeds/, start the chat UI on 127.0.0.1:7860
# make test : install, fetch + verify models, run lint and the whole test suite (what CI runs)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Built wheels live in the user cache so a fresh clone on the same machine reuses them.
CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/rag
LLAMA_CPP := llama-cpp-python==0.3.36
# llama.cpp is compiled for this CPU (-march=native) but without Intel AMX: a virtual machine
# can report AMX and fault on its first tile instruction (seen here: a 2-core Xeon VM, where
# the native build died with a general protection fault at the first token).
LLAMA_CFLAGS := $(if $(filter x86_64,$(shell uname -m)),-mno-amx-tile -mno-amx-int8 -mno-amx-bf16)
# The wheel folder is named for what built it, so a wheel built with other flags is not reused.
WHEELS := $(CACHE_DIR)/wheels/$(shell echo '$(LLAMA_CPP) $(LLAMA_CFLAGS)' | sha256sum | cut -c1-12)
INSTALLED := $(VENV)/.installed-$(shell cat pyproject.toml Makefile | sha256sum | cut -c1-12)

.PHONY: install models browser ingest run serve test unit integration eval bench lint clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@# The CPU build: an unpinned torch pulls a multi-GB CUDA build.
	$(BIN)/python -m pip install -q torch==2.13.0
	@# llama-cpp-python ships only as source on PyPI (~6 min to compile): build once, keep the wheel.
	@# --no-cache-dir: pip's own cache would hand back a wheel built earlier with other flags.
	@mkdir -p $(WHEELS)
	@if ! ls $(WHEELS)/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1; then \
		echo "building $(LLAMA_CPP) (about 6 minutes, once per machine)"; \
		CFLAGS="$(LLAMA_CFLAGS)" CXXFLAGS="$(LLAMA_CFLAGS)" \
			$(BIN)/python -m pip wheel -q --no-deps --no-cache-dir -w $(WHEELS) $(LLAMA_CPP); \
	fi
	@# --force-reinstall: a venv that holds a build of the same version with other flags
	$(BIN)/python -m pip install -q --no-deps --force-reinstall $(WHEELS)/llama_cpp_python-0.3.36-*.whl
	$(BIN)/python -m pip install -q --find-links $(WHEELS) -e '.[dev,openai]'
	@rm -f $(VENV)/.installed-* && touch $@

models: install
	$(BIN)/rag models fetch

# Debian's Chromium and CJK fonts for the browser test (tests/integration/test_web_ui.py);
# Playwright's own browser download does not work offline. Without root the test says what to do.
BROWSER_PACKAGES := chromium fonts-noto-cjk fonts-noto-color-emoji
browser:
	@if command -v chromium >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing $(BROWSER_PACKAGES) (Debian) for the browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	elif command -v sudo >/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	else echo "warning: not root: install $(BROWSER_PACKAGES) (Debian) or the browser test fails"; fi

ingest: models
	$(BIN)/rag ingest seeds

run: ingest
	$(BIN)/rag serve

serve: install
	$(BIN)/rag serve

lint: install
	$(BIN)/ruff check rag tests bench evals
	$(BIN)/ruff format --check rag tests bench evals
	$(BIN)/mypy rag

test: models lint browser
	$(BIN)/python -m pytest

unit: install
	$(BIN)/python -m pytest tests/unit

integration: models browser
	$(BIN)/python -m pytest -m integration

# The fixed eval set (evals/seed_questions.yaml) with the real models: table, summary, JSON report.
eval: models
	$(BIN)/rag eval

# The benchmarks (README "Benchmarks") with the real models: CMRC 2018 trial, then the
# performance figures. Reports go to bench/results/. Not part of `make test`: about an hour on 2 cores.
bench: models
	$(BIN)/python -m bench.cmrc --out bench/results/cmrc.json
	$(BIN)/python -m bench.perf --out bench/results/perf.json
	$(BIN)/python -m bench.keyword_update --out bench/results/keyword_update.json
	$(BIN)/python -m bench.cold_start --out bench/results/cold_start.json

clean:
	rm -rf $(VENV) index/chroma index/bm25 index/*.json
