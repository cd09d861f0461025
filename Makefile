# Account Desk — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install install-dev lint typecheck audit migrate clean

# `make run` on a port that is taken stops here, before installing anything, with one line saying what to do.
ifneq ($(filter run,$(MAKECMDGOALS)),)
PORT_TAKEN := $(shell $(PYTHON) -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], int(sys.argv[2])))' '$(HOST)' '$(PORT)' 2>/dev/null || echo taken)
ifeq ($(PORT_TAKEN),taken)
$(error Port $(PORT) on $(HOST) is already in use: start on another one, e.g. `make run PORT=$(shell expr $(PORT) + 1 2>/dev/null || echo 5001)`)
endif
endif

# Two stamps: running needs requirements.txt only; the test tools (requirements-dev.txt) come with `make test`.
$(VENV)/.installed-run: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed-run
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed-run

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/flask db upgrade

## make run: set up, migrate, load demo data into an empty database, serve on http://$(HOST):$(PORT) (PORT=… to change;
## without REDIS_URL the web process also collects on the schedule in the background: docs/collector.md)
run: migrate
	$(BIN)/flask demo-data --if-empty
	@echo "Account Desk: open http://$(HOST):$(PORT)/ and sign in with a login above (Ctrl-C stops)."
	$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## the rules of the house (docs/architecture.md): import contracts and types
typecheck: install-dev
	$(BIN)/lint-imports
	$(BIN)/mypy

## make audit: known vulnerabilities in requirements.txt (pip-audit); fails on one, says SKIPPED when it cannot check
audit: install-dev
	$(BIN)/python .ci/dependency_audit.py requirements.txt

## make test: lint, import contracts and types, audit, then the whole suite (PostgreSQL/Redis variants when TEST_DATABASE_URL/TEST_REDIS_URL are set)
test: lint typecheck audit
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
