"""POST /wechat/callback: cap → authenticate → replay and retry check → route → reply.

Refusals are 4xx and cheap (no database, nothing parsed before the size cap and the signature
on the URL); a handler's failure is answered politely and releases the retry claim, so that
the service stays up whatever arrives.
"""
import logging

from flask import Response, current_app, request

from app.extensions import db, redis_store
from app.services.wechat_identity import binding_cache_key
from app.wechat.callback import CallbackCodec, CallbackRejected, render_reply
from app.wechat.guard import CallbackGuard, message_identity, timestamp_fresh
from handlers import replies
from handlers.routes import route

log = logging.getLogger(__name__)

# A WeChat message is a few kilobytes; the app's 8 MB upload limit is far too generous here.
CALLBACK_MAX_BYTES = 64 * 1024


def _parts():
    """The codec and the guard, built once per app (not per request)."""
    state = current_app.extensions.get("izyz_wechat_callback")
    if state is None:
        config = current_app.config
        state = (CallbackCodec(config["WECHAT_TOKEN"], config["WECHAT_APPID"], config["WECHAT_AES_KEY"]),
                 CallbackGuard(redis_store.client, redis_store.key))
        current_app.extensions["izyz_wechat_callback"] = state
    return state


def refuse(status, reason):
    return Response(reason, status=status, mimetype="text/plain")


def read_capped_body():
    """The body, or None when it is larger than CALLBACK_MAX_BYTES (read no further)."""
    length = request.content_length
    if length is not None and length > CALLBACK_MAX_BYTES:
        return None
    body = request.stream.read(CALLBACK_MAX_BYTES + 1)
    return None if len(body) > CALLBACK_MAX_BYTES else body


def handle_post():
    body = read_capped_body()
    if body is None:
        return refuse(413, "too large")
    args = request.args
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
    status, stored, cached_binding = guard.claim(nonce, identity, binding_cache_key(message["FromUserName"]))
    if status == "replay":
        return refuse(403, "nonce already used for another message")
    if status == "repeat":
        reply_xml = guard.wait_for_reply(identity, stored)
    else:
        try:
            reply_xml = render_reply(route(message, cached_binding), message)
        except Exception:
            db.session.rollback()
            guard.release(identity)
            log.exception("callback handler failed for %s/%s", message.get("MsgType"), message.get("Event"))
            return answer(render_reply(replies.BUSY, message), encrypted, codec, nonce)
        finish_store = guard.store_reply(identity, reply_xml)
        response = answer(reply_xml, encrypted, codec, nonce)
        response.call_on_close(finish_store)  # read Redis's answer after the reply has gone out
        return response
    return answer(reply_xml, encrypted, codec, nonce)


def answer(reply_xml, encrypted, codec, nonce):
    if not reply_xml:
        return Response("success", mimetype="text/plain")
    if encrypted:
        reply_xml = codec.encrypt(reply_xml, nonce)
    return Response(reply_xml, mimetype="application/xml")
