# The commands: `make demo` (set up and serve), `make test` (set up and run the tests),
# `make prod` (production on this machine, settings from the environment or .env), `make lock`.
PYTHON ?= python3
PORT ?= 8000
# Printed on the PDFs and in emails; follows the port so the QR codes of the demo work.
SITE_URL ?= http://127.0.0.1:$(PORT)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The lock files (hashes of every package): what `make` installs. `make lock` writes them from
# pyproject.toml. A production machine may install only the runtime: REQUIREMENTS=requirements/prod.txt.
REQUIREMENTS ?= requirements/dev.txt
LOCKS := requirements/prod.txt requirements/dev.txt
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(PY) -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
# Procfile commands (gunicorn, celery, python) come from the virtualenv.
PROCS = PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho --env /dev/null
# The demo: SQLite, no .env, and a queue kept in a SQLite file for its worker. Seeding runs
# without it (tasks run in the seeding process, as before), so the worker starts with nothing.
DEMO_ENV = ENV_FILE=/dev/null DEBUG=true SITE_URL=$(SITE_URL)
DEMO_BROKER = CELERY_BROKER_URL=sqla+sqlite:///$(CURDIR)/var/celery-broker.sqlite3
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra gettext
# What only the tests need: Debian's Chromium for the browser journeys, poppler for PDF checks.
TEST_PACKAGES := chromium poppler-utils

.PHONY: demo prod lock test system-deps test-deps apt-packages venv migrate messages lint bench clean

# The demo's own issue emails (to example.com addresses) are not printed while seeding.
# Then the web server, a Celery worker and beat run together (Procfile.demo); Ctrl-C stops
# all three (SIGTERM: the worker finishes its task).
demo: venv messages
	mkdir -p var
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) EMAIL_URL=dummymail:// $(PY) manage.py seed_demo
	$(DEMO_ENV) $(DEMO_BROKER) $(PROCS) --procfile Procfile.demo start --port $(PORT)

# Production on one machine (README, "Production"): settings from the environment or .env
# (ENV_FILE=path for another file); refuses to start without the ones it cannot do without.
prod: venv messages
	@$(PY) -m lms.env_file
	DEBUG=false $(PY) manage.py migrate --noinput
	DEBUG=false $(PY) manage.py collectstatic --noinput -v0
	DEBUG=false $(PROCS) --procfile Procfile start --port $(PORT)

# Write the lock files again from pyproject.toml (pins kept unless pyproject changed them).
lock: $(STAMP)
	$(PIP_COMPILE) -o requirements/prod.txt pyproject.toml
	$(PIP_COMPILE) --extra dev -o requirements/dev.txt pyproject.toml

# pytest exits 5 when it collected nothing; that is a broken suite, said in words here.
test: venv test-deps messages
	@rc=0; SECRET_KEY=test-only-secret $(PY) -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc = 5 ]; then echo "make test: pytest collected no tests (exit 5)" >&2; fi; \
	exit $$rc

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# One table of every speed figure (issue 9, issue 10's signing row) and one JSON line; quicker
# with BENCH_QUICK=1, PostgreSQL rows with BENCH_DATABASE_URL (see scripts/bench.py). The
# report's detailed timings and the API's ratio: scripts/bench_report.py, scripts/bench_api.py.
bench: venv messages
	SECRET_KEY=bench-only-secret $(PY) scripts/bench.py

venv: system-deps $(STAMP)

# Installed again whenever a lock file or pyproject.toml changes; only hashed packages.
$(STAMP): $(LOCKS) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(REQUIREMENTS)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# WeasyPrint needs pango; without libharfbuzz-subset0 every render is ~9x slower.
system-deps:
	@$(MAKE) --no-print-directory apt-packages PACKAGES="$(SYSTEM_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory apt-packages PACKAGES="$(TEST_PACKAGES)"

apt-packages:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Install them with: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

messages: $(STAMP)
	cd $(CURDIR) && DEBUG=true $(PY) manage.py compilemessages -v0 --ignore=.venv

clean:
	rm -rf $(VENV) var
