# The two commands: `make demo` (set up and serve) and `make test` (set up and run the tests).
PYTHON ?= python3
PORT ?= 8000
# Printed on the PDFs and in emails; follows the port so the QR codes of the demo work.
SITE_URL ?= http://127.0.0.1:$(PORT)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra gettext
# What only the tests need: Debian's Chromium for the browser journeys, poppler for PDF checks.
TEST_PACKAGES := chromium poppler-utils

.PHONY: demo test system-deps test-deps apt-packages venv migrate messages lint bench clean

# The demo's own issue emails (to example.com addresses) are not printed while seeding.
demo: venv messages
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true SITE_URL=$(SITE_URL) EMAIL_URL=dummymail:// $(PY) manage.py seed_demo
	DEBUG=true SITE_URL=$(SITE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# pytest exits 5 when it collected nothing; that is a broken suite, said in words here.
test: venv test-deps messages
	@rc=0; SECRET_KEY=test-only-secret $(PY) -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc = 5 ]; then echo "make test: pytest collected no tests (exit 5)" >&2; fi; \
	exit $$rc

lint: venv
	$(VENV)/bin/ruff check .

# One table of every speed figure (issue 9, issue 10's signing row) and one JSON line; quicker
# with BENCH_QUICK=1, PostgreSQL rows with BENCH_DATABASE_URL (see scripts/bench.py). The
# report's detailed timings and the API's ratio: scripts/bench_report.py, scripts/bench_api.py.
bench: venv messages
	SECRET_KEY=bench-only-secret $(PY) scripts/bench.py

venv: system-deps $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
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
