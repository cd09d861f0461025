# Account Desk — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install lint typecheck audit migrate clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/flask db upgrade

## make run: set up, migrate, load demo data into an empty database, serve on http://$(HOST):$(PORT)
run: migrate
	$(BIN)/flask demo-data --if-empty
	@echo "Account Desk: open http://$(HOST):$(PORT)/ and sign in with a login above (Ctrl-C stops)."
	$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## the rules of the house (docs/architecture.md): import contracts and types
typecheck: install
	$(BIN)/lint-imports
	$(BIN)/mypy

## make audit: known vulnerabilities in requirements.txt (pip-audit); fails on one, says SKIPPED when it cannot check
audit: install
	$(BIN)/python .ci/dependency_audit.py requirements.txt

## make test: lint, import contracts and types, audit, then the whole suite (PostgreSQL/Redis variants when TEST_DATABASE_URL/TEST_REDIS_URL are set)
test: lint typecheck audit
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
