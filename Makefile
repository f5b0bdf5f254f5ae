# Laminar. Quick start: `make run` (serve with demo data), `make test` (every test).
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEV := DJANGO_ENV=development DJANGO_DEBUG=1

# The first Python >= 3.12 on the PATH (a committed .python-version picks it under pyenv).
PYTHON := $(shell for p in python3 python3.13 python3.12; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; \
	done)

.PHONY: install db run test bench bench-scale lint format worker clean

$(PY):
	@test -n "$(PYTHON)" || { echo "Laminar needs Python 3.12 or newer, and none was found: install it (or 'pyenv install 3.12') and run make again." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(PY) requirements.lock
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "$(VENV) uses Python older than 3.12: remove it and run make again." >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

install: $(VENV)/.installed

db: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py seed_demo --if-empty

run: db
	@echo ""
	@echo "Laminar is at http://127.0.0.1:$(PORT)/  (Ctrl+C stops it)"
	@echo "Demo sign-ins, password laminar-demo:"
	@echo "  patient@example.com  physio@example.com  surgeon@example.com  admin@example.com"
	@echo "Staff also enter a 6-digit code: $(PY) manage.py demo_code surgeon@example.com"
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	$(DEV) $(PY) manage.py db_worker & \
	$(DEV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Every test in TEST_PROCESSES processes, the browser journeys too (each process drives its
# own Chromium); an idle process takes work from a busy one. The run ends by saying how many
# browser tests ran and why any were skipped (tests/conftest.py).
TEST_PROCESSES ?= 2
test: install
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist worksteal $(PYTEST_ARGS)

# Seeds a scratch database (never db.sqlite3), serves it with gunicorn and loads it with wrk.
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# The nightly evaluation at scale: 10,000 patients x 365 days in a scratch database, run
# inline, with 1 RQ worker and with 2 (wall times and speed-up), and the clinic outcomes page.
bench-scale: install
	$(PY) bench/scale.py $(BENCH_ARGS)

lint: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
