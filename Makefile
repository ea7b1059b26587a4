# The registry's commands. `make run` serves it; `make test` checks it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Development defaults; .env or the environment override them.
export DEBUG ?= true

.PHONY: venv run serve load test bench bench-api backup restore db-stop format clean

$(INSTALLED): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(INSTALLED)

venv: $(INSTALLED)

run: venv
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py first_run
	$(PY) manage.py runserver 127.0.0.1:8000

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

# Concurrent clients on the API and dashboards through gunicorn, on loopback only, bounded in time
# and requests (python -m jwcu.load --help); prints throughput, p50/p95 latency and errors.
load: venv
	$(PY) -m jwcu.load

test: venv
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) -m pytest

# The registry at the demo size and at one million members, as one table (python -m jwcu.bench --help).
bench: venv
	$(PY) -m jwcu.bench

bench-api: venv
	$(PY) -m jwcu.bench_api

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
