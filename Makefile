# Build and test tooling for the Duaal Leren scenario simulator (distribution
# duaal-leren-simulator, import package simlib; GNU make, recipes indented with TABs).
# `make` alone prints the targets; `make lab` and `make test` are the two that matter.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# The pip extras installed into the working venv and frozen into constraints.txt.
# environment.yml installs the same set (tests/test_packaging.py checks that).
EXTRAS := notebooks,test

# Paths that ruff checks; $(wildcard) drops ones not in this clone (git keeps no empty dirs).
LINT_PATHS = $(wildcard simlib tests benchmarks tools)

# JupyterLab settings kept inside the project, so `make lab` never touches ~/.jupyter.
JUPYTERLAB_SETTINGS_DIR := $(CURDIR)/.jupyter/lab/user-settings
LAB_NOTIFICATION_SETTINGS := $(JUPYTERLAB_SETTINGS_DIR)/@jupyterlab/apputils-extension/notification.jupyterlab-settings
LAB_NOTEBOOK := notebooks/00_start_hier.ipynb
# JupyterLab refuses to run as root without --allow-root (evaluated only when used).
ALLOW_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root)
# Extra arguments for `jupyter lab`, e.g. make lab LAB_ARGS="--no-browser --port=8899".
LAB_ARGS ?=
# The dashboard (Voila) on 127.0.0.1: make dashboard DASHBOARD_PORT=8867 DASHBOARD_ARGS=--no-browser
DASHBOARD_PORT ?= 8866
DASHBOARD_ARGS ?=
# Playwright never downloads a browser: the browser tests use Debian's chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
CHROMIUM := /usr/bin/chromium

.DEFAULT_GOAL := help
.PHONY: help install test lab dashboard browser constraints wheel clean

help: ## List the targets
	@echo "Targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	@# the distribution was called simlib until 0.2 (a name PyPI gives another project)
	$(PY) -m pip uninstall --yes --quiet simlib 2>/dev/null || true
	$(PY) -m pip install -c constraints.txt -e ".[$(EXTRAS)]"
	touch $@

install: $(STAMP) ## Create .venv and install duaal-leren-simulator[notebooks,test] (editable) pinned by constraints.txt

test: $(STAMP) browser ## Lint (ruff) and run the test suite (pytest, browser tests included)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(PY) -m pytest

# The browser tests need Debian's chromium: installed here when missing and we are root;
# otherwise they skip with the reason (and fail under SIMLIB_REQUIRE_BROWSER=1, as in CI).
browser:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests (once, about 20 s)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
			>/dev/null 2>&1 || echo "Could not install chromium: the browser tests will skip"; \
	fi

lab: $(STAMP) ## Start JupyterLab on the start notebook (LAB_ARGS="..." adds arguments)
	mkdir -p "$(dir $(LAB_NOTIFICATION_SETTINGS))"
	printf '%s\n' '{"fetchNews": "false", "checkForUpdates": false}' > "$(LAB_NOTIFICATION_SETTINGS)"
	JUPYTERLAB_SETTINGS_DIR="$(JUPYTERLAB_SETTINGS_DIR)" \
		$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(LAB_NOTEBOOK) $(ALLOW_ROOT) $(LAB_ARGS)

dashboard: $(STAMP) ## Serve the notebooks as a web app on 127.0.0.1 (DASHBOARD_PORT=8866, offline)
	$(PY) -m simlib.ui.dashboard --port=$(DASHBOARD_PORT) $(DASHBOARD_ARGS)

constraints: ## Regenerate constraints.txt from a throwaway fresh venv
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip && \
	"$$tmp/venv/bin/python" -m pip install --quiet -e ".[$(EXTRAS)]" && \
	{ printf '%s\n' \
		"# Exact versions of every package (transitive ones included) that CI tested." \
		"# Used as: pip install -c constraints.txt -e \".[$(EXTRAS)]\" (see the Makefile)." \
		"# Do not edit by hand. Regenerate with: make constraints" \
		"# (installs -e .[$(EXTRAS)] into a throwaway fresh venv, then pip freeze --exclude-editable)."; \
	  "$$tmp/venv/bin/python" -m pip freeze --exclude-editable; } > constraints.txt.new && \
	mv constraints.txt.new constraints.txt
	@echo "constraints.txt regenerated; review the diff, then run make test."

# The wheel (with the data, scenarios, notebooks and dashboard inside) and its version from
# the git tags; build/ first removed, so no file deleted since an earlier build slips in.
wheel: $(STAMP) ## Build the wheel into dist/ (pip install dist/duaal_leren_simulator-*.whl)
	rm -rf build
	$(PY) -m pip wheel --no-deps --wheel-dir dist .
	rm -rf build *.egg-info

clean: ## Remove .venv, build output and caches
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
