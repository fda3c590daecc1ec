#!/usr/bin/env bash
# make loadtest: gunicorn + PostgreSQL + a Celery worker on Redis, as in production, on 127.0.0.1 only,
# bounded in time (60 s of load). The e-mails a submission sends are queued on Redis and sent by the worker,
# not inside the request; the report says how many went out.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/commissioning}"
export DJANGO_SETTINGS_MODULE=commissioning.settings.loadtest
# A Redis database of the load test's own, emptied first (LOADTEST_BROKER_URL=none runs the tasks in-process).
BROKER="${LOADTEST_BROKER_URL:-redis://127.0.0.1:6379/13}"
BIN=.venv/bin
PORT=${LOADTEST_PORT:-8077}
DB=$($BIN/python -c "import os,django;os.environ['DJANGO_SETTINGS_MODULE']='commissioning.settings.loadtest';django.setup();from django.conf import settings;print(settings.DATABASES['default']['NAME'])")
psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null
psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"$DB\"" >/dev/null
$BIN/python manage.py migrate --no-input -v 0
$BIN/python -u -m bench.loadtest_setup
if [ "$BROKER" != none ]; then
  export CELERY_BROKER_URL="$BROKER"
  $BIN/python -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$BROKER"
  $BIN/celery -A commissioning worker --concurrency 1 --loglevel warning --without-heartbeat --without-gossip --without-mingle &
  WORKER=$!
fi
# Each request's time inside gunicorn and Django (%(D)s, microseconds) and where it redirected: the report sets it
# beside what locust measured, the difference being the wait for a worker (and a CPU).
rm -f bench/loadtest-access.log
# No keep-alive, as behind a reverse proxy (nginx speaks HTTP/1.0 to its upstream by default): each request
# goes to whichever worker accepts it first. Kept-alive connections stay with one worker, which left some
# workers with twice the queue of others; and one the server closed while idle raced the client's next POST.
$BIN/gunicorn commissioning.wsgi:application --bind 127.0.0.1:$PORT --workers ${LOADTEST_WORKERS:-4} --threads ${LOADTEST_THREADS:-4} \
  --worker-class gthread --keep-alive 0 --timeout 60 --log-level warning --env DJANGO_SETTINGS_MODULE=$DJANGO_SETTINGS_MODULE \
  --access-logfile bench/loadtest-access.log --access-logformat '%(m)s %(U)s %(s)s %(D)s %({location}o)s' &
GUNICORN=$!
trap 'kill $GUNICORN ${WORKER:-} 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -sf "http://127.0.0.1:$PORT/healthz/" >/dev/null && break; sleep 1; done
# The report runs even when locust counted failures, and the run then fails. Last run's figures are removed
# first, so a locust that dies early cannot be reported with them.
rm -f bench/loadtest_*.csv bench/loadtest-results.json bench/loadtest-answered.json bench/loadtest-cpu*.json
status=0
$BIN/python -m bench.cpu_share watch &
CPU_WATCH=$!
$BIN/locust -f bench/locustfile.py --headless --host "http://127.0.0.1:$PORT" -u 100 -r 100 --run-time 60s \
  --stop-timeout 10 --csv bench/loadtest --only-summary || status=$?
kill -TERM $CPU_WATCH 2>/dev/null || true
wait $CPU_WATCH || true
if ! $BIN/python -m bench.loadtest_report && [ "$status" -eq 0 ]; then status=1; fi
exit $status
