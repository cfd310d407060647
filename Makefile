.DEFAULT_GOAL := help
SHELL := /bin/bash

PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
COURSE_FILE := lectures/data/ml-system-design-2022.yaml

# The first interpreter of Python 3.12 or newer: one named by PYTHON, then the
# usual names on the PATH (pyenv shims included), then pyenv's own versions.
PYTHON_CANDIDATES := $(PYTHON) python3.14 python3.13 python3.12 python3 python \
	$(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3)
FIND_PYTHON = for candidate in $(PYTHON_CANDIDATES); do \
	  if command -v "$$candidate" >/dev/null 2>&1 \
	     && "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    command -v "$$candidate"; exit 0; \
	  fi; \
	done; exit 1

# The portal starts in production mode unless told otherwise: what make runs
# here (the development server, the tests, the checks) is development.
export DJANGO_DEBUG ?= true

BENCH_DURATION ?= 10
BENCH_LEARNERS ?= 1000
BENCH_STAFF_LEARNERS ?= 100000

.PHONY: help run test lint format migrations-check check-deploy bandit bench bench-staff screenshots messages messages-check clean

help:
	@echo "make run              set up and serve the portal at http://127.0.0.1:$(PORT)"
	@echo "make test             run the whole test suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make lint             ruff check and format check"
	@echo "make migrations-check fail if a model change has no migration"
	@echo "make check-deploy     Django's deployment checks with production settings"
	@echo "make bandit           security lint of the code"
	@echo "make bench            load-test the portal against a bare-Django baseline (PostgreSQL, wrk)"
	@echo "make bench-staff      time the staff analytics, a long timeline and the learners' CSV at scale"
	@echo "make screenshots      full-page screenshots of the main pages in artifacts/screenshots/"
	@echo "make messages         update the Russian catalogue from the code, and compile it (needs gettext)"
	@echo "make messages-check   fail if a Russian message is untranslated or fuzzy, or the compiled catalogue is stale"

$(BIN)/python:
	@python=$$($(FIND_PYTHON)) || { \
	  echo "error: the portal needs Python 3.12 or newer, and none was found." >&2; \
	  echo "       Install one (python.org, your package manager or pyenv), or name it: make PYTHON=/path/to/python3.12" >&2; \
	  exit 1; }; \
	echo "Creating $(VENV) with $$python ($$("$$python" --version))"; \
	"$$python" -m venv $(VENV)

PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

# What the portal needs to run, and on top of it what the checks need.
$(VENV)/.runtime: $(BIN)/python requirements.txt
	$(PIP) --upgrade pip
	$(PIP) -r requirements.txt
	@touch $@

$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(PIP) -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py import_course $(COURSE_FILE)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(VENV)/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run

# Production settings with throwaway values: proves the deployment checklist holds.
check-deploy: $(VENV)/.installed
	DJANGO_DEBUG=false \
	DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DJANGO_ALLOWED_HOSTS=portal.example.org \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

bandit: $(VENV)/.installed
	$(BIN)/bandit --quiet --severity-level medium --recursive accounts lectures progress portal scripts gunicorn.conf.py

# Seconds per measured run and synthetic learners: make bench BENCH_DURATION=30 BENCH_LEARNERS=100000
bench: $(VENV)/.installed
	$(BIN)/python scripts/bench.py --duration $(BENCH_DURATION) --learners $(BENCH_LEARNERS)

# The staff pages at scale, on SQLite then PostgreSQL: make bench-staff BENCH_STAFF_LEARNERS=100000
bench-staff: $(VENV)/.installed
	$(BIN)/python scripts/bench_staff.py --learners $(BENCH_STAFF_LEARNERS)

# The Russian catalogue: new and changed messages from the code, then compiled.
# Both files are committed, so the portal runs without gettext.
CATALOGUE := locale/ru/LC_MESSAGES/django
MAKEMESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=scripts --ignore=staticfiles --ignore=artifacts
messages: $(VENV)/.installed
	DJANGO_DEBUG=true $(BIN)/python manage.py makemessages --locale=ru --no-location --no-obsolete $(MAKEMESSAGES_IGNORE)
	msgfmt --check --output-file=$(CATALOGUE).mo $(CATALOGUE).po

messages-check: $(VENV)/.installed
	$(BIN)/python scripts/check_messages.py $(CATALOGUE).po

# Phone and desktop, light and dark, in Debian's Chromium.
screenshots: $(VENV)/.installed
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) staticfiles
