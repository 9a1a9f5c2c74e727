# ourbeat: `make run` serves the site with the demo town; `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements/lock.txt
STAMP := $(VENV)/.installed-$(shell sha256sum $(LOCK) | cut -c1-16)
PORT ?= 8000

.PHONY: run test setup check pytest-sqlite pytest-postgres lock openapi messages bench

$(STAMP): $(LOCK)
	@test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)
	scripts/system-setup.sh
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0

run: setup
	$(PY) manage.py demo_town --if-empty
	$(VENV)/bin/gunicorn ourbeat.wsgi --bind 127.0.0.1:$(PORT) --workers 3 --access-logfile - --forwarded-allow-ips 127.0.0.1

check: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# Each suite has its own var directory, so that both can run at once.
pytest-sqlite: $(STAMP)
	OURBEAT_VAR_DIR=$(CURDIR)/var/test-sqlite $(VENV)/bin/pytest

pytest-postgres: $(STAMP)
	OURBEAT_VAR_DIR=$(CURDIR)/var/test-postgres DATABASE_URL=postgres:///ourbeat $(VENV)/bin/pytest

test: $(STAMP)
	scripts/test-setup.sh
	$(PY) manage.py compile_translations
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(MAKE) check
	# The two databases' suites side by side on the two cores, each printed when it ends.
	$(MAKE) --jobs 2 --output-sync=target pytest-sqlite pytest-postgres

# Regenerate the lock file after editing requirements/*.in.
lock:
	$(VENV)/bin/pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o $(LOCK) requirements/dev.in

openapi: $(STAMP)
	$(PY) manage.py export_openapi > docs/openapi.json

messages: $(STAMP)
	$(PY) manage.py makemessages --locale ru --no-obsolete --add-location file --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*' --ignore 'tests/*' --ignore 'bench/*'
