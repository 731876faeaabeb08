# ZoneHub: `make run` to try it, `make test` to test it. Needs only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# make test runs pytest in this many processes (pytest-xdist; 0 = one process, no xdist).
TEST_WORKERS ?= 2
# 127.0.0.1: this machine only. HOST=0.0.0.0 make run serves colleagues on the intranet too, with the
# machine's own names and addresses as the allowed hosts.
HOST ?= 127.0.0.1
LAN_HOSTS := $(foreach h,$(if $(filter 0.0.0.0,$(HOST)),$(shell hostname 2>/dev/null) $(shell hostname -I 2>/dev/null)),$(if $(findstring :,$(h)),,$(h)))
empty :=
space := $(empty) $(empty)
RUN_HOSTS := localhost,127.0.0.1,[::1]$(subst $(space),,$(foreach h,$(LAN_HOSTS),,$(h)))
export PORT HOST

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

# The product as its users see it (DEBUG off: its own error pages, static files from staticfiles/);
# DEBUG=true make run for Django's debug pages.
run: migrate
	$(PY) manage.py demo_data --if-empty
	$(PY) manage.py collectstatic --noinput -v0
	@echo
	@echo "  ZoneHub runs at http://127.0.0.1:$(PORT)/   (API docs: http://127.0.0.1:$(PORT)/api/docs/)"
	@$(if $(LAN_HOSTS),echo "  On the intranet: $(foreach h,$(LAN_HOSTS),http://$(h):$(PORT)/ )")
	@echo "  Web server, Celery worker and beat start together; Ctrl-C stops all of them."
	@echo
	DEBUG=$${DEBUG:-false} ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(RUN_HOSTS)}" $(VENV)/bin/honcho start -f Procfile -p $(PORT)

test: install-dev
	$(PY) manage.py compiletranslations
	@mkdir -p test-artifacts && echo "Screenshots and other test artifacts: $(CURDIR)/test-artifacts"
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

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
