# The README's two commands (book, test) and the helpers around them.
# `make help` lists every target. Everything installs itself into .venv.
VENV := .venv
PY   := $(VENV)/bin/python
PORT ?= 8000
# pip installs exactly the locked versions and checks every file's hash.
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check --require-hashes

.PHONY: help book figures serve browse test chromium bench lock audit lint-claims \
        platform-notice clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

book: $(VENV)/.book ## build the whole book into site/ (--strict: any warning fails)
	$(PY) -m mkdocs build --strict

figures: $(VENV)/.book ## run only the stale snippets and notebooks; no site
	$(PY) -m scripts.bookbuild figures

serve: $(VENV)/.book ## live preview on 127.0.0.1, port PORT (default 8000)
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:$(PORT)

browse: ## serve the built site/ as a web host would (port PORT)
	@test -d site || { echo "no site/ yet: run 'make book' first"; exit 1; }
	@echo "Serving site/ on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	python3 -m http.server $(PORT) --bind 127.0.0.1 --directory site

test: $(VENV)/.test chromium platform-notice ## the whole test suite (builds a copy)
	$(PY) -m pytest --cov=kernels --cov-report=term --cov-fail-under=95

audit: $(VENV)/.book ## list stale snippets and the dependency that changed
	$(PY) -m scripts.bookbuild audit

lint-claims: $(VENV)/.book ## comparative sentences with no fact or claim behind them
	$(PY) -m scripts.bookbuild lint-claims

# The test builds silence Material's end-of-life banner (NO_MKDOCS_2_WARNING); print it
# once per test run so CI logs keep showing that the theme is on borrowed time.
platform-notice: $(VENV)/.book
	@$(PY) -c "import sys; sys.argv = ['mkdocs']; import material.templates"

chromium:
	@bash scripts/ensure_chromium.sh

bench: $(VENV)/.book ## build timings: cold, no change, prose edit, kernel edit, floor
	$(PY) scripts/bench_build.py

lock: ## re-resolve requirements/*.in into the hashed locks requirements/*.txt
	bash scripts/lock_requirements.sh

$(VENV)/.book: requirements/book.txt
	@echo "Installing the book's locked dependencies into $(VENV) (first time: ~2 min)"
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP_INSTALL) -r requirements/book.txt
	touch $@

$(VENV)/.test: $(VENV)/.book requirements/test.txt
	@echo "Installing the test suite's locked dependencies into $(VENV)"
	$(PIP_INSTALL) -r requirements/book.txt -r requirements/test.txt
	touch $@

clean: ## remove the built site and caches (figures/ stays: it is committed)
	rm -rf site .cache
