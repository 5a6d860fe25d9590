"""GET /metrics: Prometheus text exposition of what operators watch, for addresses in METRICS_ALLOW.

Multiprocess mode: with PROMETHEUS_MULTIPROC_DIR set (scripts/serve, the systemd units and the
compose file set it; it must be set before this module is imported), every process — each
gunicorn worker and the job worker on the host — writes its counters to its own file there, and
a scrape of any gunicorn worker adds them all up. gunicorn's child_exit hook
(deploy/gunicorn.conf.py) drops the live gauges of a worker that died. Without it (tests,
one-process tools) the metrics live in this process.

Counted where they happen (hooks elsewhere are one line each, calling into this module):
- izyz_http_requests_total{route,method,status}, izyz_http_request_duration_seconds{route,method}
  (MetricsMiddleware; route is the URL rule, never the raw path);
- izyz_callback_messages_total{type,outcome}: outcome answered, deduplicated, refused_signature,
  refused_window, refused_replay, malformed, failed (handlers/callback.py);
- izyz_clock_ins_total{outcome,reason}: checkin, checkout, refused with its error code
  (app/services/attendance.py);
- izyz_deliveries_total{channel,outcome}: a send attempt sent or failed, by errcode class
  (app/notify/delivery.py);
- izyz_wechat_token_refreshes_total{token}: access tokens and JS-SDK tickets fetched from WeChat
  (app/wechat/gateway.py);
- izyz_dependency_unavailable_total{dependency}: requests answered 503 because the database or
  Redis was unreachable (app/outage.py);
- izyz_db_pool_connections{state}: pooled database connections in use and idle, summed over the
  live processes;
- izyz_outbox_sweeps_total: outbox sweeps run (app/notify/sweeper.py).
Read at scrape time from the database and Redis (one indexed query each):
- izyz_outbox_messages{status} for the states still to deliver (pending, failed, sending) and
  izyz_outbox_oldest_due_age_seconds, how long the oldest due message has waited;
- izyz_job_queue_length{state}: queued, scheduled (retries), started and failed jobs.
"""
import functools
import ipaddress
import logging
import os
import threading
import time
from datetime import timedelta

from flask import Blueprint, Response, current_app, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from sqlalchemy import event

from app.config import ConfigError
from app.errors import DomainError
from app.request_id import route_of

log = logging.getLogger(__name__)

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROC_DIR:  # each process writes its own files there, from the first metric defined below
    os.makedirs(MULTIPROC_DIR, exist_ok=True)
DEFAULT_ALLOW = "127.0.0.0/8,::1"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter("izyz_http_requests", "HTTP requests answered, by route, method and status.",
                        ["route", "method", "status"])
HTTP_LATENCY = Histogram("izyz_http_request_duration_seconds", "Time to answer an HTTP request.",
                         ["route", "method"], buckets=LATENCY_BUCKETS)
CALLBACK_MESSAGES = Counter("izyz_callback_messages", "WeChat callback POSTs by message type and outcome.",
                            ["type", "outcome"])
CLOCK_INS = Counter("izyz_clock_ins", "Scans of clock codes by outcome (checkin, checkout, refused) and reason.",
                    ["outcome", "reason"])
DELIVERIES = Counter("izyz_deliveries", "Outbox send attempts by channel and outcome.", ["channel", "outcome"])
TOKEN_REFRESHES = Counter("izyz_wechat_token_refreshes", "Tokens and tickets fetched from WeChat.", ["token"])
UNAVAILABLE = Counter("izyz_dependency_unavailable", "Requests answered 503 because a dependency was down.",
                      ["dependency"])
OUTBOX_SWEEPS = Counter("izyz_outbox_sweeps", "Outbox sweeps run (one at a time across workers).")
DB_POOL = Gauge("izyz_db_pool_connections", "Pooled database connections by state, over the live processes.",
                ["state"], multiprocess_mode="livesum")

# --- the hooks other modules call -----------------------------------------------------------

CALLBACK_TYPES = frozenset({
    "text", "image", "voice", "video", "shortvideo", "location", "link", "file",
    "event:subscribe", "event:unsubscribe", "event:scan", "event:click", "event:view", "event:location",
    "event:templatesendjobfinish", "event:scancode_push", "event:scancode_waitmsg", "event:subscribe_msg_popup_event",
})
_callback = threading.local()


def note_callback(message, claim_status):
    """handlers/callback.py, once the guard has answered: the message's type and the claim."""
    _callback.note = (message, claim_status)


def callback_type(message):
    kind = str(message.get("MsgType", "")).lower()
    if kind == "event":
        kind = "event:" + str(message.get("Event", "")).lower()
    return kind if kind in CALLBACK_TYPES else "other"


def observe_callback(handle_post):
    """Decorates handlers/callback.handle_post: counts each POST by type and outcome from its answer."""

    @functools.wraps(handle_post)
    def observed(args, body):
        _callback.note = None
        try:
            answer = handle_post(args, body)
        except Exception:
            CALLBACK_MESSAGES.labels(_noted_type(), "failed").inc()
            raise
        note = _callback.note
        if note is None:  # refused before the guard: the window, the signature or the XML
            if answer.status == 403 and str(answer.body).startswith("timestamp"):
                outcome = "refused_window"
            elif answer.status in (401, 403):
                outcome = "refused_signature"
            else:
                outcome = "malformed"
        else:
            outcome = {"replay": "refused_replay", "repeat": "deduplicated"}.get(note[1], "answered")
        CALLBACK_MESSAGES.labels(_noted_type(), outcome).inc()
        return answer

    return observed


def _noted_type():
    note = getattr(_callback, "note", None)
    return callback_type(note[0]) if note else "unknown"


def observe_clock(scan):
    """Decorates the clock service's entry points: counts results and refusals."""

    @functools.wraps(scan)
    def observed(*args, **kwargs):
        try:
            result = scan(*args, **kwargs)
        except DomainError as refused:
            CLOCK_INS.labels("refused", refused.code).inc()
            raise
        CLOCK_INS.labels(result.get("kind", "unknown"), "").inc()
        return result

    return observed


def observe_delivery(send):
    """Decorates app/notify/delivery.send(message): counts each attempt by channel and outcome."""

    @functools.wraps(send)
    def observed(message):
        try:
            result = send(message)
        except Exception as exc:
            errcode = getattr(exc, "errcode", None)
            DELIVERIES.labels(message.channel, "error" if errcode is None else f"errcode_{errcode}").inc()
            raise
        DELIVERIES.labels(message.channel, "sent").inc()
        return result

    return observed


def token_refreshed(token):
    TOKEN_REFRESHES.labels(token).inc()


def dependency_unavailable(dependency):
    UNAVAILABLE.labels(dependency).inc()


def outbox_swept():
    OUTBOX_SWEEPS.inc()


def install_pool_metrics(engine):
    """Keep izyz_db_pool_connections up to date from the pool's checkout and checkin events."""
    pool = engine.pool
    if not hasattr(pool, "checkedout"):
        return

    def update(*_):
        DB_POOL.labels("in_use").set(pool.checkedout())
        DB_POOL.labels("idle").set(pool.checkedin())

    event.listen(engine, "checkout", update)
    event.listen(engine, "checkin", update)


class MetricsMiddleware:
    """Counts and times every request (inside RequestIdMiddleware, so the callback's POST too)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        statuses = []

        def start(status, headers, exc_info=None):
            statuses.append(status)
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        finally:
            route, method = route_of(environ), environ.get("REQUEST_METHOD", "")
            status = statuses[-1].split(None, 1)[0] if statuses else "500"
            HTTP_REQUESTS.labels(route, method, status).inc()
            HTTP_LATENCY.labels(route, method).observe(time.perf_counter() - started)


# --- GET /metrics ----------------------------------------------------------------------------

bp = Blueprint("metrics", __name__)


def parse_allow(text):
    """METRICS_ALLOW: addresses or networks, comma-separated → [ip_network]. Refuses what it cannot read."""
    networks = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(f"METRICS_ALLOW: {item!r} is not an address or network") from None
    return networks


def init_app(app):
    app.extensions["izyz_metrics_allow"] = parse_allow(app.config.get("METRICS_ALLOW", DEFAULT_ALLOW))


def allowed(address, networks):
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


@bp.get("/metrics")
def metrics_page():
    # request.remote_addr is the client's, as the trusted proxies saw it (ProxyFix): a scrape from
    # outside that passes the load balancer is refused like one that comes straight in.
    if not allowed(request.remote_addr, current_app.extensions["izyz_metrics_allow"]):
        raise DomainError("FORBIDDEN")
    if MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    scraped = CollectorRegistry()
    scraped.register(ScrapeTimeCollector())
    return Response(text + generate_latest(scraped), mimetype=None, content_type=CONTENT_TYPE_PLAIN_0_0_4)


class ScrapeTimeCollector:
    """Figures read when Prometheus scrapes: the outbox's backlog and the job queue (shared state,
    the same whichever instance answers). A dependency that is down leaves its figures out."""

    def collect(self):
        yield from self._outbox()
        yield from self._queue()

    def _outbox(self):
        # Models are imported here: app.models pulls in the whole schema, which the gunicorn master
        # (that imports this module through app/) has no use for.
        from app.extensions import db
        from app.models import OutboxMessage as M
        from app.timeutil import utcnow

        try:
            now = utcnow()
            rows = db.session.execute(db.select(M.status, db.func.count()).where(
                M.status.in_(("pending", "failed", "sending"))).group_by(M.status)).all()
            oldest = db.session.execute(db.select(db.func.min(M.next_attempt_at)).where(
                M.status.in_(("pending", "failed")), M.next_attempt_at <= now)).scalar()
            db.session.rollback()
        except Exception as exc:
            db.session.rollback()
            log.warning("metrics: outbox figures unavailable (%s)", type(exc).__name__)
            return
        messages = GaugeMetricFamily("izyz_outbox_messages", "Outbox messages not yet delivered, by status.",
                                     labels=["status"])
        counts = dict(rows)
        for status in ("pending", "failed", "sending"):
            messages.add_metric([status], counts.get(status, 0))
        yield messages
        age = max(0.0, (now - oldest) / timedelta(seconds=1)) if oldest else 0.0
        yield GaugeMetricFamily("izyz_outbox_oldest_due_age_seconds",
                                "How long the oldest due outbox message has waited for delivery.", value=age)

    def _queue(self):
        from app.extensions import jobs

        try:
            queue = jobs.queue
            figures = {"queued": queue.count, "scheduled": queue.scheduled_job_registry.count,
                       "started": queue.started_job_registry.count, "failed": queue.failed_job_registry.count}
        except Exception as exc:
            log.warning("metrics: job queue figures unavailable (%s)", type(exc).__name__)
            return
        family = GaugeMetricFamily("izyz_job_queue_length", "Jobs in the RQ queue by state.", labels=["state"])
        for state, count in figures.items():
            family.add_metric([state], count)
        yield family
