# The registry's commands. `make run` serves it; `make test` checks it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Development defaults; .env or the environment override them.
export DEBUG ?= true

.PHONY: venv run serve worker load test bench bench-api backup restore db-stop format clean

$(INSTALLED): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(INSTALLED)

venv: $(INSTALLED)

# The server, a task worker and the scheduler of periodic tasks together (Procfile).
run: venv
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py first_run
	$(VENV)/bin/honcho start -f Procfile

# Production: gunicorn, DEBUG off, static files by WhiteNoise. Needs SECRET_KEY and ALLOWED_HOSTS
# (the settings refuse to start without them); HTTPS=true behind a TLS proxy.
BIND ?= 127.0.0.1:8000
WORKERS ?= 3
serve: venv
	DEBUG=false $(PY) manage.py check --deploy
	DEBUG=false $(PY) manage.py collectstatic --noinput --verbosity 0
	DEBUG=false $(PY) manage.py migrate --noinput
	DEBUG=false $(VENV)/bin/gunicorn jwcu.wsgi:application --bind $(BIND) --workers $(WORKERS) \
		--access-logfile - --forwarded-allow-ips="$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

# Production's background work: task workers and the scheduler (Procfile.worker), on any number of
# machines against the same DATABASE_URL.
TASK_WORKERS ?= 2
worker: venv
	DEBUG=false $(PY) manage.py migrate --check
	DEBUG=false $(VENV)/bin/honcho start -f Procfile.worker --concurrency "worker=$(TASK_WORKERS)"

# Concurrent clients on the API and dashboards through gunicorn, on loopback only, bounded in time
# and requests (python -m jwcu.tooling.load --help); prints throughput, p50/p95 latency and errors.
load: venv
	$(PY) -m jwcu.tooling.load

# Lint and format, the layers (import-linter), models against migrations, then the suite on as
# many processes as there are cores (pytest-xdist, a test database each).
TEST_PROCESSES ?= auto
test: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) -m pytest -n $(TEST_PROCESSES)

# The registry at the demo size and at one million members, as one table (python -m jwcu.tooling.bench --help).
# Measured as served: DEBUG off (no query log, the hashed static files), migrations applied.
BENCH_ENV = DEBUG=false SECRET_KEY="$${SECRET_KEY:-bench-only-secret-key}" ALLOWED_HOSTS="$${ALLOWED_HOSTS:-testserver,localhost}"
bench: venv
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(BENCH_ENV) $(PY) manage.py migrate --noinput
	$(BENCH_ENV) $(PY) -m jwcu.tooling.bench

bench-api: venv
	$(PY) -m jwcu.tooling.bench_api

backup: venv
	$(PY) manage.py backup

restore: venv
	test -n "$(FILE)" || (echo "Usage: make restore FILE=backups/jwcu-….dump" >&2; exit 2)
	$(PY) manage.py restore "$(FILE)" --yes

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

db-stop:
	test ! -f .pgdata/postmaster.pid || $(PY) -c "import pgserver._commands as c, pathlib; c.pg_ctl(['-w', 'stop'], pgdata=pathlib.Path('.pgdata').resolve(), user='pgserver' if __import__('os').geteuid() == 0 else None)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
