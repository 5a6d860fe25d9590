#!/bin/sh
# The image's entrypoint; it runs the same outside Docker (APP_HOME: the repository it sits in).
#   web        gunicorn (deploy/gunicorn.conf.py: JSON logs, metrics, drain on SIGTERM) on $HOST:$PORT
#   worker     the job worker (RQ, its scheduler for retries, the outbox sweeper)
#   scheduler  the periodic safety nets once: outbox sweep, unanswered identity checks (a timer runs it)
#   migrate    flask db upgrade (once per release, before the new web processes)
set -eu
APP_HOME="${APP_HOME:-$(cd "$(dirname "$0")/.." && pwd)}"
PYTHON="${PYTHON:-python}"
cd "$APP_HOME"
export FLASK_APP=wsgi.py
command="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$command" in
  web)
    exec "$PYTHON" -m gunicorn -c deploy/gunicorn.conf.py -w "${WEB_CONCURRENCY:-2}" \
      -b "${HOST:-0.0.0.0}:${PORT:-8000}" --no-control-socket --access-logfile - "$@" wsgi:app ;;
  worker)
    exec "$PYTHON" -m flask worker "$@" ;;
  scheduler)
    "$PYTHON" -m flask outbox-sweep
    exec "$PYTHON" -m flask sweep-identity-checks ;;
  migrate)
    exec "$PYTHON" -m flask db upgrade "$@" ;;
  *)
    echo "usage: docker-entrypoint.sh web|worker|scheduler|migrate" >&2
    exit 64 ;;
esac
