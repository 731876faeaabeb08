# ZoneHub: `make run` to try it, `make test` to test it. Needs only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run test install install-dev migrate lint messages bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compiletranslations

run: migrate
	$(PY) manage.py demo_data --if-empty
	@echo
	@echo "  ZoneHub runs at http://127.0.0.1:$(PORT)/   (API docs: http://127.0.0.1:$(PORT)/api/docs/)"
	@echo "  Web server, Celery worker and beat start together; Ctrl-C stops all of them."
	@echo
	$(VENV)/bin/honcho start -f Procfile -p $(PORT)

test: install-dev
	$(PY) manage.py compiletranslations
	@mkdir -p test-artifacts && echo "Screenshots and other test artifacts: $(CURDIR)/test-artifacts"
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

# Re-extract the strings to translate (needs GNU gettext; the build itself does not).
messages:
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --no-obsolete

clean:
	rm -rf $(VENV) var staticfiles test-artifacts

# Scale benchmark (bench/run.py): F=1 and F=50 on their own database (PostgreSQL when DATABASE_URL
# says so), table printed and written to bench/results.md. BENCH_ARGS="--factors 0.1 1" for a quick look.
bench: install
	$(PY) manage.py compiletranslations
	$(PY) bench/run.py $(BENCH_ARGS)
