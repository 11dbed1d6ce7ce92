# medpress: `make review` reviews content/ and writes the report; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FAIL_ON ?= never

.PHONY: setup languagetool chromium wordpress review test lint docs screenshots bench bench-scale bench-vale server-stop clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# A LanguageTool server assembled from Maven Central into ~/.cache/medpress (see tools/languagetool/).
languagetool:
	tools/languagetool/install.sh

# Headless Chromium (Debian's package) for the HTML report test.
chromium:
	tools/install-chromium.sh

# Debian's WordPress, MariaDB and PHP for the publishing tests (started on loopback by the tests).
wordpress:
	tools/wordpress/setup.sh

# The main job: review every post of the demo blog in content/ (the tests' fixtures are tests/fixtures/content/)
# into review-output/ (review.json, report.html, review.sarif, junit.xml, summary.md), print the summary, then
# publish the approved versions to the static site in site/ on that review's verdict (--from-review: publish
# reviews nothing again, and holds back a post edited since or whose review could not finish, e.g. GR000).
# (Not reports/: that is the Python package of the report writers.)
# FAIL_ON=error turns it into the CI gate (exit 1 when a post fails).
review: setup languagetool
	$(BIN)/medpress review --content content --output review-output/review.json --fail-on $(FAIL_ON) \
		--format text,json,sarif,junit,html,markdown --output-dir review-output
	$(BIN)/medpress publish --content content --target static --out site --from-review review-output/review.json

lint: setup
	$(BIN)/ruff check .

# The documentation site into build/site/ (tests/test_docs.py builds it too, with --strict).
docs: setup
	$(BIN)/mkdocs build --strict

# The reviewer's guide's screenshots (docs/images/): a real review of content/ and a sign-off, in headless Chromium.
screenshots: setup languagetool chromium
	$(BIN)/python tools/screenshots.py

test: setup languagetool chromium wordpress lint
	PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=180 $(BIN)/pytest

bench: setup
	$(BIN)/python bench/run.py

# Issue 21: medpress beside Vale v3.19.0 (go install) on 1,000 generated posts, alternating runs, medians.
bench-vale: setup
	$(BIN)/python bench/vale_side_by_side.py --posts 1000 --pairs 3 --out bench/results/vale-side-by-side.md

# Issue 7's scaling benchmark (each case in its own process, with baselines): bench/results/scale.{json,md}
# (the JSON stays local), and the tables into docs/benchmarks.md. Long on 2 cores
# (a quick look: .venv/bin/python bench/scale.py --sizes 20).
bench-scale: setup languagetool
	$(BIN)/python bench/scale.py --update-docs $(SCALE_ARGS)

server-stop: setup
	$(BIN)/medpress server stop

clean:
	rm -rf $(VENV) review-output .pytest_cache
