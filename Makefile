# Build and test tooling for simlib (GNU make; recipes are indented with TABs).
# `make` alone prints the targets.

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

.DEFAULT_GOAL := help
.PHONY: help install test lab constraints clean

help: ## List the targets
	@echo "Targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -c constraints.txt -e ".[$(EXTRAS)]"
	touch $@

install: $(STAMP) ## Create .venv and install simlib[notebooks,test] pinned by constraints.txt

test: $(STAMP) ## Lint (ruff) and run the test suite (pytest)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(PY) -m pytest

lab: $(STAMP) ## Start JupyterLab on the start notebook (LAB_ARGS="..." adds arguments)
	mkdir -p "$(dir $(LAB_NOTIFICATION_SETTINGS))"
	printf '%s\n' '{"fetchNews": "false", "checkForUpdates": false}' > "$(LAB_NOTIFICATION_SETTINGS)"
	JUPYTERLAB_SETTINGS_DIR="$(JUPYTERLAB_SETTINGS_DIR)" \
		$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(LAB_NOTEBOOK) $(ALLOW_ROOT) $(LAB_ARGS)

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

clean: ## Remove .venv, build output and caches
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
