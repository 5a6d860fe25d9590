"""POST /wechat/callback: cap → authenticate → replay and retry check → route → reply.

Refusals of a request are 4xx and cheap (no database, nothing parsed before the size cap and the
signature on the URL). A handler's DomainError is a rule saying no to the user: its message is
the reply (app/errorhandlers.py wechat_reply), stored for WeChat's retries like any reply. Any
other failure is answered politely (BUSY) and releases the retry claim, so that the service stays
up whatever arrives.

The POST is the busiest request the service gets (every follower's every tap, scan and word),
so it is a plain WSGI endpoint placed in front of Flask's routing (CallbackEndpoint): it runs
inside the app context like any view, without Flask's request context, URL matching, cookie
session and Response objects, which cost more than the callback's own Python work. The
server check (GET) stays an ordinary Flask view (verify_server below).
"""
import logging
from collections import namedtuple
from http import HTTPStatus
from urllib.parse import parse_qsl

from flask import Blueprint, Response, abort, current_app, request
from werkzeug.wsgi import ClosingIterator

from app import metrics, outage
from app.errorhandlers import wechat_reply
from app.errors import DomainError
from app.extensions import db, redis_store
from app.services.wechat_identity import binding_cache_key
from app.wechat.callback import CallbackCodec, CallbackRejected, render_reply
from app.wechat.guard import CallbackGuard, message_identity, timestamp_fresh
from handlers import replies
from handlers.routes import changes_nothing, route

log = logging.getLogger(__name__)

# A WeChat message is a few kilobytes; the app's 8 MB upload limit is far too generous here.
CALLBACK_MAX_BYTES = 64 * 1024


def _parts():
    """The codec and the guard, built once per app (not per request)."""
    state = current_app.extensions.get("izyz_wechat_callback")
    if state is None:
        config = current_app.config
        state = (CallbackCodec(config["WECHAT_TOKEN"], config["WECHAT_APPID"], config["WECHAT_AES_KEY"]),
                 CallbackGuard(redis_store.client, redis_store.key_builder()))
        current_app.extensions["izyz_wechat_callback"] = state
    return state


def codec():
    """This app's CallbackCodec (signatures and safe-mode crypto)."""
    return _parts()[0]


# What the callback answers: an HTTP status, a media type, the body, and a function to run once
# the answer has gone out (or None).
Answer = namedtuple("Answer", "status mimetype body after")


def refuse(status, reason):
    return Answer(status, "text/plain", reason, None)


class CallbackEndpoint:
    """WSGI middleware: POST /wechat/callback is answered here, everything else goes on to Flask."""

    PATH = "/wechat/callback"

    def __init__(self, flask_app, next_wsgi_app):
        self.flask_app = flask_app
        self.next_wsgi_app = next_wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != self.PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.next_wsgi_app(environ, start_response)
        body = read_capped_body(environ)
        with self.flask_app.app_context():  # the database session ends when this context does
            try:
                result = refuse(413, "too large") if body is None else handle_post(query_args(environ), body)
            except Exception as exc:
                log.exception("callback failed")
                # WeChat retries; the claim was not stored. 503 when the database or Redis is down.
                result = refuse(503 if outage.dependency_down(exc) else 500, "busy")
        data = result.body.encode("utf-8")
        start_response(f"{result.status} {HTTPStatus(result.status).phrase}",
                       [("Content-Type", f"{result.mimetype}; charset=utf-8"), ("Content-Length", str(len(data)))])
        return ClosingIterator([data], [result.after]) if result.after else [data]


def query_args(environ):
    """The query string as {name: first value}."""
    args = {}
    for name, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
        args.setdefault(name, value)
    return args


def read_capped_body(environ):
    """The body, or None when it is larger than CALLBACK_MAX_BYTES (read no further)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length > CALLBACK_MAX_BYTES:
        return None
    stream = environ["wsgi.input"]
    body = stream.read(length) if length >= 0 else stream.read(CALLBACK_MAX_BYTES + 1)
    return None if len(body) > CALLBACK_MAX_BYTES else body


@metrics.observe_callback
def handle_post(args, body):
    """One authenticated POST: args {name: value} of the query string, body bytes → Answer."""
    nonce = args.get("nonce", "")
    if not timestamp_fresh(args.get("timestamp")):
        return refuse(403, "timestamp outside the 5-minute window")
    codec, guard = _parts()
    try:
        message, encrypted = codec.read(args, body)
    except CallbackRejected as exc:
        return refuse(exc.status, exc.reason)
    if not message.get("MsgType") or not message.get("FromUserName"):
        return refuse(400, "MsgType and FromUserName required")

    identity = message_identity(message)
    dedupe = not changes_nothing(message)
    try:
        status, stored, cached_binding = guard.claim(nonce, identity, binding_cache_key(message["FromUserName"]),
                                                     dedupe=dedupe)
    except Exception as exc:
        if not outage.dependency_down(exc):
            raise
        # Redis down or hung (the breaker answers at once after the first timeout): the message is
        # authentic but cannot be deduplicated, so nothing is done; the user is told politely, and
        # WeChat, answered, does not retry into the same wall.
        log.warning("callback: Redis unavailable (%s); answered busy", type(exc).__name__)
        return answer(render_reply(replies.BUSY, message), encrypted, codec, nonce)
    metrics.note_callback(message, status)
    if status == "replay":
        return refuse(403, "nonce already used for another message")
    if status == "repeat":
        return answer(guard.wait_for_reply(identity, stored), encrypted, codec, nonce)
    try:
        reply_xml = render_reply(route(message, cached_binding), message)
    except DomainError as refused:  # a rule said no: nothing was written; say why, politely
        db.session.rollback()
        reply_xml = render_reply(wechat_reply(refused), message)
    except Exception as exc:
        _roll_back_quietly()
        if dedupe:
            try:
                guard.release(identity)
            except Exception:  # Redis went too: the claim lapses with its TTL
                log.warning("callback: could not release the claim of a failed message")
        if outage.dependency_down(exc):  # the database (or Redis) down: nothing was written
            log.warning("callback: %s unavailable; answered busy", outage.dependency_down(exc))
        else:
            log.exception("callback handler failed for %s/%s", message.get("MsgType"), message.get("Event"))
        return answer(render_reply(replies.BUSY, message), encrypted, codec, nonce)
    if not dedupe:  # a repeat is answered again the same way: nothing to store
        return answer(reply_xml, encrypted, codec, nonce)
    finish_store = guard.store_reply(identity, reply_xml)
    # Redis's answer to the store is read after the reply has gone out.
    return answer(reply_xml, encrypted, codec, nonce)._replace(after=finish_store)


def _roll_back_quietly():
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the session is thrown away
        db.session.remove()


def answer(reply_xml, encrypted, codec, nonce):
    if not reply_xml:
        return Answer(200, "text/plain", "success", None)
    if encrypted:
        reply_xml = codec.encrypt(reply_xml, nonce)
    return Answer(200, "application/xml", reply_xml, None)


bp = Blueprint("wechat_callback", __name__)


@bp.get("/wechat/callback")
def verify_server():
    """WeChat's server check: answer echostr unchanged when the signature holds, as plain text
    (never HTML: it is whatever the caller put in the URL)."""
    args = request.args
    if not timestamp_fresh(args.get("timestamp")):  # the same checks as every POST's
        abort(403)
    try:
        codec().check_url_signature(args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", ""))
    except CallbackRejected:
        abort(403)
    return Response(args.get("echostr", ""), mimetype="text/plain",
                    headers={"X-Content-Type-Options": "nosniff"})
