# `make run` and `make test` each bootstrap everything they need on a fresh Debian machine:
# system tools from apt when missing, a virtualenv in .venv, pinned pip requirements.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

.PHONY: run test system-deps test-system-deps clean

## Serve the app on SNEAKY_HOST:SNEAKY_PORT (127.0.0.1:5000); migrations run at start.
run: system-deps $(VENV)/.runtime-installed
	$(PY) app.py

## Run the whole test suite (real nmap, Chromium, SQLite, SMTP and HTTP peers on loopback).
test: system-deps test-system-deps $(VENV)/.dev-installed
	$(PY) -m pytest

# apt packages: nmap (scans), chromium (screenshots, browser tests), python3-venv (the virtualenv).
system-deps:
	@missing=""; \
	command -v nmap >/dev/null 2>&1 || missing="$$missing nmap"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	$(PYTHON) -c "import ensurepip, venv" >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing with apt:$$missing"; \
	  $(SUDO) apt-get update && $(APT_INSTALL) $$missing; \
	fi

# The end-to-end test drives the seed's curl script (curl, jq); the PostgreSQL test starts
# a throwaway server from Debian's postgresql package.
test-system-deps:
	@missing=""; \
	command -v curl >/dev/null 2>&1 || missing="$$missing curl"; \
	command -v jq >/dev/null 2>&1 || missing="$$missing jq"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing with apt:$$missing"; \
	  $(SUDO) apt-get update && $(APT_INSTALL) $$missing; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

clean:
	rm -rf $(VENV) .pytest_cache test-output
