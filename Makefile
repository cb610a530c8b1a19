# Sahulat. The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test venv dev-venv migrate lint format bench bench-urdu bench-load check-deploy upgrade-check clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Sahulat needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

## The system with demo data, on SQLite with Celery tasks run eagerly: http://127.0.0.1:8000
demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Sahulat runs at http://$(HOST):$(PORT)/ — demo logins are listed in README.md"
	# Links in emails (verification, notifications) name the address the demo is served at, port included.
	WAGTAILADMIN_BASE_URL="$${WAGTAILADMIN_BASE_URL:-http://$(HOST):$(PORT)}" $(BIN)/python manage.py runserver $(HOST):$(PORT)

## The whole test suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL, as CI does).
test: dev-venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## ruff (rules and format), mypy (core/, strict), import-linter (the architecture contracts in pyproject.toml).
lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: dev-venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks (print figures, assert nothing): list pages at 10 and 10,000 applications; the report writers;
## the API's payments pulled page by page (bench/api.py, 1,000,000 rows by default; `bench/api.py ROWS` for fewer).
bench: dev-venv
	$(BIN)/python bench/run.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/disbursements.py
	$(BIN)/python bench/matches.py
	$(BIN)/python bench/api.py

## How much of the Urdu site is still Latin letters (issue #17): a throwaway demo database, crawled per role.
bench-urdu: dev-venv
	@db=$$(mktemp -d)/urdu.sqlite3; \
	DATABASE_URL=sqlite:///$$db $(BIN)/python manage.py migrate --noinput -v0 && \
	DATABASE_URL=sqlite:///$$db $(BIN)/python manage.py load_demo > /dev/null && \
	$(BIN)/python bench/latin_share.py $$db; status=$$?; rm -rf $$(dirname $$db); exit $$status

## Deadline day (issue #23): gunicorn with production settings, a Celery worker and Redis on loopback, a
## throwaway PostgreSQL database (DATABASE_URL's server); LOAD_ARGS e.g. --operators 600 --concurrency 5,10,20.
bench-load: dev-venv
	$(BIN)/python bench/deadline_day.py $(LOAD_ARGS)

check-deploy: venv
	DJANGO_SETTINGS_MODULE=subsidy.settings.production SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
		AUDIT_HMAC_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))') \
		IDENTIFIER_DIGEST_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))') \
		ALLOWED_HOSTS=sahulat.example.pk EMAIL_HOST=smtp.example.pk $(BIN)/python manage.py check --deploy --fail-level WARNING

## What is newer than the pins (prints; changes nothing).
upgrade-check: dev-venv
	$(BIN)/pip list --outdated

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
