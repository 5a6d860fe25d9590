"""One id per request: in every log line the request writes, in its response, and in the jobs it
queues (and so in the worker's log lines for them).

The id comes from the X-Request-Id header only when TRUSTED_PROXIES says a reverse proxy stands in
front (it must set the header itself, e.g. nginx's `proxy_set_header X-Request-Id $request_id`);
otherwise a client could write into our logs, so the id is made here. A job runs under the id of
the request that queued it (RQ job meta), and a job queued by a job keeps it.
"""
import contextvars
import os
import re
from contextlib import contextmanager

from rq import Queue

HEADER = "X-Request-Id"
ENVIRON_KEY = "izyz.request_id"
ROUTE_KEY = "izyz.route"  # the matched URL rule (e.g. /api/v1/activities/<int:activity_id>), for logs and metrics
JOB_META_KEY = "request_id"
CALLBACK_PATH = "/wechat/callback"  # answered in front of Flask's routing (handlers/callback.py)
UNMATCHED = "<unmatched>"

# What we accept from a trusted proxy: short, and nothing that could break a log line.
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:@+=-]{1,64}")
_current = contextvars.ContextVar("izyz_request_id", default=None)


def new_id():
    return os.urandom(8).hex()


def current():
    """The id of the request (or job) being handled, or None outside one."""
    return _current.get()


@contextmanager
def bound(request_id):
    """Run the body under request_id (the job worker, scripts)."""
    token = _current.set(request_id)
    try:
        yield request_id
    finally:
        _current.reset(token)


def route_of(environ):
    """The route a finished request matched, for logs and metrics (never the raw path, which can
    carry tokens and codes, nor one label per URL)."""
    route = environ.get(ROUTE_KEY)
    if route:
        return route
    return CALLBACK_PATH if environ.get("PATH_INFO") == CALLBACK_PATH else UNMATCHED


def remember_route():
    """A before_request hook (first in line): the matched rule goes into the WSGI environ, where
    the access log and the metrics middleware read it after the response."""
    from flask import request  # imported here: this module is also imported by the gunicorn master

    if request.url_rule is not None:
        request.environ[ROUTE_KEY] = request.url_rule.rule


class RequestIdMiddleware:
    """Outermost WSGI layer but ProxyFix: gives the request its id and answers it in X-Request-Id."""

    def __init__(self, wsgi_app, trust_header):
        self.wsgi_app = wsgi_app
        self.trust_header = trust_header

    def __call__(self, environ, start_response):
        request_id = None
        if self.trust_header:
            offered = environ.get("HTTP_X_REQUEST_ID", "")
            if offered and _ACCEPTABLE.fullmatch(offered):
                request_id = offered
        request_id = request_id or new_id()
        environ[ENVIRON_KEY] = request_id

        def start(status, headers, exc_info=None):
            headers.append((HEADER, request_id))
            return start_response(status, headers, exc_info)

        token = _current.set(request_id)
        try:
            return self.wsgi_app(environ, start)
        finally:
            _current.reset(token)


class TracedQueue(Queue):
    """An RQ queue whose jobs carry the id of the request (or job) that queued them, and whose job
    descriptions (which RQ writes into its log lines) name the function without its arguments:
    those can be an e-mail address or a message's text."""

    def create_job(self, *args, **kwargs):
        job = super().create_job(*args, **kwargs)
        job.description = f"{job.func_name}(…)"
        request_id = current()
        if request_id and JOB_META_KEY not in job.meta:
            job.meta[JOB_META_KEY] = request_id
        return job


def of_job(job):
    """The id a job runs under: its request's, else one of its own."""
    return job.meta.get(JOB_META_KEY) or f"job-{job.id[:12]}"
