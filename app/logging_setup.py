"""Logs: one JSON object a line, on standard error (app, job worker, gunicorn's error log) and
standard output (gunicorn's access log), each with the request id of the request or job it belongs
to (app/request_id.py).

No personal data and no secrets in any line. What we write ourselves names ids, never people;
and every line passes `scrub` on its way out, which masks what could still slip in through an
exception's text or a library's message: phone numbers (masked as 138****5678, the most a line may
show), ID-card numbers, e-mail addresses, bearer tokens, secrets in query strings and the app's own
configured secrets. SQLAlchemy keeps statement parameters out of its errors (hide_parameters,
app/config.py) and RQ's job descriptions name the function only (app/request_id.TracedQueue).
"""
import logging
import re
import sys

from gunicorn import glogging
from pythonjsonlogger.json import JsonFormatter

from app import request_id

FIELDS = ["levelname", "name", "message", "process"]
RENAMED = {"levelname": "level", "name": "logger"}
# Attributes some libraries attach to their records that may carry a job's arguments (RQ).
DROPPED_ATTRIBUTES = ("arguments", "kwargs", "args_repr")

_PATTERNS = [
    # ID-card numbers first (an 18-character number holds 11-digit runs).
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), "[id-number]"),
    (re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?(1[3-9]\d)\d{4}(\d{4})(?![0-9A-Za-z])"), r"\1****\2"),
    (re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+\.[A-Za-z0-9.-]+)"), r"\1***@\2"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"(?i)\b(access_token|token|secret|password|passwd|signature|msg_signature|echostr|ticket|"
                r"js_code|code|openid|unionid|session_key|key)=([^&\s\"'\\]+)"), r"\1=[redacted]"),
]
_secrets = set()


def add_secrets(*values):
    """Configured secrets (SECRET_KEY, WECHAT_SECRET, …) never appear in a line as they are."""
    for value in values:
        if isinstance(value, bytes):
            continue
        if value and len(str(value)) >= 8:
            _secrets.add(str(value))


def scrub(text):
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "[secret]")
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RequestIdFilter(logging.Filter):
    """Every record carries the current request id (None outside a request or job)."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.current()
        for name in DROPPED_ATTRIBUTES:
            if name in record.__dict__:
                record.__dict__[name] = "[redacted]"
        return True


class ScrubbingJsonFormatter(JsonFormatter):
    def __init__(self, **kwargs):
        super().__init__(FIELDS, rename_fields=RENAMED, timestamp="time", json_ensure_ascii=False, **kwargs)

    def format(self, record):
        return scrub(super().format(record))


def json_handler(stream):
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ScrubbingJsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler._izyz_json = True
    return handler


def configure(level=logging.INFO):
    """Root logging to JSON on standard error (called by create_app when LOG_FORMAT is json).
    Idempotent: a second app in the same process does not add a second handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_izyz_json", False):
            root.removeHandler(handler)
    root.addHandler(json_handler(sys.stderr))
    root.setLevel(level)


def mask_address(address):
    """An IPv4 client address without its last byte (203.0.113.x), an IPv6 one without its last
    80 bits: enough to see a network misbehaving, not to name a person."""
    if not address:
        return None
    if ":" in address:
        return ":".join(address.split(":")[:3]) + "::x"
    head, _, _ = address.rpartition(".")
    return f"{head}.x" if head else address


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with JSON lines: its error log on standard error, and one access line
    per request naming the route (the URL rule, not the raw path), never the query string."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(ScrubbingJsonFormatter())
                handler.addFilter(RequestIdFilter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        try:
            self.access_log.info("request", extra={
                "request_id": environ.get(request_id.ENVIRON_KEY),
                "method": environ.get("REQUEST_METHOD"),
                "route": request_id.route_of(environ),
                "status": int(status),
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000, 2),
                "client": mask_address(environ.get("REMOTE_ADDR")),
            })
        except Exception:
            self.error("access log failed", exc_info=True)
