# The two commands the README promises, plus helpers. Everything installs itself.
VENV   := .venv
PY     := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1   # Material 9.8 prints an end-of-life banner otherwise

.PHONY: book serve test chromium bench clean

# Build the whole book into site/ (creates .venv on first use). --strict: any warning
# (broken link, orphan figure, unused figure) fails the build.
book: $(VENV)/.installed
	$(PY) -m mkdocs build --strict

# Serve with live reload: editing a page, a snippet or a kernel rebuilds what changed.
serve: $(VENV)/.installed
	$(PY) -m mkdocs serve

# The whole test suite: kernels (with coverage), pipeline, site build, real browser.
test: $(VENV)/.installed chromium
	$(PY) -m pytest --cov=kernels --cov-report=term --cov-fail-under=95

chromium:
	@bash scripts/ensure_chromium.sh

# Build timings (cold, no-change, prose edit, kernel edit, floor); see the README.
bench: $(VENV)/.installed
	$(PY) scripts/bench_build.py

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

clean:
	rm -rf site .cache
