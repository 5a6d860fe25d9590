"""Draining before a restart: SIGTERM first takes the instance out of the load balancer, then stops it.

gunicorn's master (deploy/gunicorn.conf.py) answers SIGTERM by creating the drain flag file and
keeping on serving for DRAIN_SECONDS: /healthz now answers 503 {"status": "draining"}, so the
load balancer's health check takes the instance out of rotation while requests already on their
way are still answered. Then it stops as gunicorn does: it closes the listening socket, lets each
worker finish its request (graceful_timeout) and exits. Nothing that reached the instance is cut.
"""
import os

FLAG_ENV = "IZYZ_DRAIN_FILE"


def flag_path():
    return os.environ.get(FLAG_ENV, "")


def draining():
    """True once this instance's master has started draining (a stat per health check)."""
    path = flag_path()
    return bool(path) and os.path.exists(path)
