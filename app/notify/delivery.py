"""Delivering outbox rows: one job per message, run by the worker; retried until it is sent.

Life of a row (app/models/notify.py):

    pending ──claim──► sending ──ok──► sent ──TEMPLATESENDJOBFINISH success──► delivered
       ▲                  │  └─final error (43101, user block…) or too many attempts──► given_up
       └── failed ◄───────┘ transient error (network, 5xx, -1, 45009…): retried with backoff

* Claim with a lease: one conditional UPDATE moves a due row to 'sending' and sets
  next_attempt_at to the end of the lease (OUTBOX_LEASE_SECONDS). Two jobs for the same row
  (a scheduled retry and a sweep, say) never both send: only one UPDATE matches. A worker that
  dies while holding a row leaves it 'sending'; once the lease is over the sweep re-queues it.
* `attempts` is the fencing token: the outcome is written only WHERE attempts is still ours,
  so a worker that lost its lease cannot overwrite the result of the one that took over.
* Retries: RQ's enqueue_in (run by the worker's scheduler) at the backoff time, and the sweep
  (app/notify/sweeper.py) as the safety net for anything a dead worker or a lost job left due.
* The crash window: a worker killed after WeChat accepted a template message but before the
  'sent' commit (or a send whose answer timed out) leaves a row that looks unsent. WeChat's
  send APIs take no idempotency key; but it reports every template message it handled
  (TEMPLATESENDJOBFINISH, with the openid), normally within seconds — well inside the lease —
  and mark_template_result gives that msgid to the user's one unplaced row, which is then not
  sent again. What remains (README): subscribe messages and SMS have no such report and are
  sent again after the lease; so is a template row when the event does not come in time or
  the user has several unplaced rows.
"""
import json
import logging
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import metrics
from app.extensions import db, jobs, redis_store
from app.models import Account, OutboxMessage, WechatIdentity
from app.notify import account_texts, consent, ratelimit, sms
from app.notify.email import EmailDeliveryError, get_email_gateway
from app.notify.templates import render
from app.security import pii
from app.timeutil import utcnow
from app.wechat.gateway import WechatApiError, get_gateway

log = logging.getLogger(__name__)

# WeChat answers that will never succeed on retry: give up with the reason.
FINAL_ERRCODES = {
    43101: "用户未订阅或拒收",
    43004: "用户未关注",
    40003: "openid 无效",
    40037: "模板 ID 无效",
    47003: "模板参数不准确",
    43019: "用户在黑名单中",
}


def _cfg(name):
    return current_app.config[name]


def backoff_seconds(attempt):
    """Exponential with ±20 % jitter: base, 2·base, 4·base … capped."""
    delay = min(_cfg("OUTBOX_RETRY_MAX_SECONDS"),
                _cfg("OUTBOX_RETRY_BASE_SECONDS") * 2 ** max(0, attempt - 1))
    return max(0.5, delay * random.uniform(0.8, 1.2))


def _due(now):
    M = OutboxMessage
    # A scheduled retry may fire a moment before its stored time: a second of tolerance.
    return db.or_(
        db.and_(M.status.in_(("pending", "failed")),
                db.or_(M.next_attempt_at.is_(None), M.next_attempt_at <= now + timedelta(seconds=1))),
        db.and_(M.status == "sending", M.next_attempt_at <= now),  # the lease ran out
    )


def claim(message_id):
    """→ the attempt number we hold the row with, or None when it is not due (or not ours)."""
    now = utcnow()
    claimed = db.session.execute(
        db.update(OutboxMessage).where(OutboxMessage.id == message_id, _due(now))
        .values(status="sending", attempts=OutboxMessage.attempts + 1,
                next_attempt_at=now + timedelta(seconds=_cfg("OUTBOX_LEASE_SECONDS")))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    return db.session.execute(
        db.select(OutboxMessage.attempts).where(OutboxMessage.id == message_id)).scalar_one()


def _finish(message_id, attempt, **values):
    """Record the outcome if we still hold the row (status sending, attempts unchanged). A final
    outcome (sent, given up) erases the message's one-time secret: nothing keeps it after."""
    if values.get("status") in ("sent", "given_up"):
        values["secret_enc"] = None
    done = db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending",
               OutboxMessage.attempts == attempt)
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not done:
        log.warning("outbox %s: lease lost before the outcome was recorded", message_id)
    return done


def schedule_retry(message_id, seconds):
    jobs.queue.enqueue_in(timedelta(seconds=seconds), deliver_message, message_id)


def deliver_message(message_id):
    """Send one message if it is due; record the outcome. Safe to run twice for the same row."""
    attempt = claim(message_id)
    if attempt is None:
        return "not due"
    if attempt > _cfg("OUTBOX_MAX_ATTEMPTS"):
        # Claimed again and again without an outcome: workers died on it. Stop, say so.
        _finish(message_id, attempt, status="given_up",
                last_error=f"{attempt - 1} attempts without an outcome")
        return "given_up"
    message = db.session.get(OutboxMessage, message_id)
    db.session.refresh(message)
    if not ratelimit.acquire(message.channel):
        wait = ratelimit.seconds_until_free(message.channel)
        _finish(message_id, attempt, status="pending", attempts=attempt - 1,
                next_attempt_at=utcnow() + timedelta(seconds=wait))
        schedule_retry(message_id, wait)
        return "throttled"
    try:
        msgid = send(message)
    except WechatApiError as exc:
        error = f"{exc.errcode}: {exc.errmsg}"[:255]
        if exc.errcode in FINAL_ERRCODES:
            _finish(message_id, attempt, status="given_up", last_error=error)
            if exc.errcode == 43101 and message.channel == "subscribe":
                _subscribe_refused(message)
            return "given_up"
        return _retry_later(message_id, attempt, error)
    except sms.SmsError as exc:
        return _sms_refused(message, attempt, exc)
    except EmailDeliveryError as exc:
        if exc.retry:
            return _retry_later(message_id, attempt, f"mail: {exc}"[:255])
        _finish(message_id, attempt, status="given_up", last_error=f"mail: {exc}"[:255])
        return "given_up"
    except Exception as exc:  # a bug or an outage of ours: logged, retried like a transient error
        log.exception("outbox %s: unexpected error while sending", message_id)
        db.session.rollback()
        return _retry_later(message_id, attempt, pii.redact_numbers(f"{type(exc).__name__}: {exc}")[:255])
    # WeChat's msgid is kept (TEMPLATESENDJOBFINISH names it); a provider's serial or a Message-ID is not.
    msgid = str(msgid) if msgid is not None and message.channel in ("template", "subscribe") else None
    _finish(message_id, attempt, status="sent", sent_at=utcnow(), wechat_msgid=msgid, last_error=None)
    if msgid and message.channel == "template":
        _apply_early_finish(msgid)
    return "sent"


def _retry_later(message_id, attempt, error):
    if attempt >= _cfg("OUTBOX_MAX_ATTEMPTS"):
        _finish(message_id, attempt, status="given_up", last_error=f"{attempt} attempts; last {error}"[:255])
        return "given_up"
    wait = backoff_seconds(attempt)
    if _finish(message_id, attempt, status="failed", last_error=error,
               next_attempt_at=utcnow() + timedelta(seconds=wait)):
        schedule_retry(message_id, wait)
    return "failed"


@metrics.observe_delivery
def send(message):
    if message.channel == "sms":
        spec = message.payload["sms"]
        return sms.get_sms_gateway().send(pii.decrypt(message.recipient), spec["kind"],
                                          {**spec["params"], **_secret(message)})
    if message.channel == "email":
        spec = message.payload["mail"]
        subject, text = account_texts.EMAILS[spec["kind"]]({**spec["params"], **_secret(message)})
        return get_email_gateway().send(pii.decrypt(message.recipient), subject, text)
    rendered = render(message.kind, message.channel, message.payload["fields"])
    if message.channel == "template":
        return get_gateway().send_template(message.recipient, rendered["template_id"], rendered["data"],
                                           url=rendered.get("url"))
    if message.channel == "subscribe":
        result = get_gateway().send_subscribe(message.recipient, rendered["template_id"], rendered["data"],
                                              page=message.payload.get("page"),
                                              state=_cfg("SUBSCRIBE_MINIPROGRAM_STATE"), lang=_cfg("SUBSCRIBE_LANG"))
        return result.get("msgid")
    raise ValueError(f"unknown channel {message.channel}")


def _secret(message):
    """The message's one-time parameters, decrypted only here, at the edge."""
    return json.loads(pii.decrypt(message.secret_enc)) if message.secret_enc else {}


def _sms_refused(message, attempt, exc):
    """A provider's refusal: retried when that can help, else given up with the reason; a rate
    limit also holds that number's code requests back for as long as the provider refuses it."""
    error = f"{exc.provider_code}: {sms.REASONS[exc.kind]}"[:255]
    if exc.kind in (sms.BAD_TEMPLATE, sms.NO_BALANCE, sms.AUTH):
        log.error("outbox %s: SMS provider refused (%s %s) %s; someone must act", message.id, exc.provider_code,
                  exc.kind, exc.detail)
    else:
        log.warning("outbox %s: SMS provider refused (%s %s)", message.id, exc.provider_code, exc.kind)
    if exc.retry:
        return _retry_later(message.id, attempt, error)
    if exc.kind == sms.RATE_LIMITED:
        sms.remember_provider_limit(pii.decrypt(message.recipient), exc.limit)
    _finish(message.id, attempt, status="given_up", last_error=error)
    return "given_up"


def _subscribe_refused(message):
    """43101: the user holds no acceptance. Forget any we counted, and send the kind's SMS if it
    has one and none went; else the row stays (given up) for the message centre."""
    identity_id = db.session.execute(
        db.select(WechatIdentity.id).filter_by(app="miniprogram", openid=message.recipient)).scalar()
    if identity_id is not None:
        rendered = render(message.kind, "subscribe", message.payload["fields"])
        consent.forget(identity_id, rendered["template_id"])
        db.session.commit()
    fallback = _sms_fallback_row(message)
    if fallback is None:
        return
    db.session.add(fallback)
    try:
        db.session.commit()
    except IntegrityError:  # an SMS for this event is already there
        db.session.rollback()
        return
    jobs.enqueue(deliver_message, fallback.id)


def _sms_fallback_row(message):
    spec = (message.payload or {}).get("sms")
    account = db.session.get(Account, message.account_id) if message.account_id else None
    if not spec or account is None or not account.phone_enc:
        return None
    dedupe_key = message.dedupe_key.removesuffix(":subscribe") + ":sms"
    if db.session.execute(db.select(OutboxMessage.id).filter_by(dedupe_key=dedupe_key)).first():
        return None
    return OutboxMessage(dedupe_key=dedupe_key, account_id=account.id, channel="sms", kind=message.kind,
                         recipient=account.phone_enc, payload={"sms": spec}, status="pending",
                         next_attempt_at=utcnow())


def _finish_key(msgid):
    return redis_store.key("outbox", "early-finish", msgid)


def mark_template_result(msgid, status_text, openid=None):
    """TEMPLATESENDJOBFINISH: WeChat tells whether a template message reached the user.

    status_text: "success", "failed:user block" or "failed: system failed"; openid: the event's
    FromUserName (pass it: it closes most of the crash window, below). Returns the row updated,
    or None for a msgid we cannot place.

    A msgid we have not recorded is either an event that overtook our own 'sent' commit, or a
    send whose worker died (or whose answer timed out) after WeChat accepted it. With the openid,
    the one template row to that user still waiting for an outcome ('sending', or 'failed' on a
    network error) takes the msgid, so it is not sent again when its lease ends. Without the
    openid, or with several candidates, the status is kept an hour in Redis and applied when a
    row records that msgid.
    """
    message = db.session.execute(
        db.select(OutboxMessage).filter_by(wechat_msgid=str(msgid), channel="template")
    ).scalar_one_or_none()
    if message is None and openid:
        message = _unplaced_send_to(openid)
        if message is not None:
            message.wechat_msgid = str(msgid)
            message.sent_at = message.sent_at or utcnow()
    if message is None:
        redis_store.client.set(_finish_key(msgid), status_text, ex=3600)
        return None
    if message.status in ("delivered", "given_up"):
        return message  # WeChat repeats events; the first answer stands
    if status_text == "success":
        message.status = "delivered"
        message.delivered_at = utcnow()
    else:
        message.status = "given_up"
        message.last_error = status_text[:255]
    db.session.commit()
    return message


def _unplaced_send_to(openid):
    """The single template row to `openid` whose send may have reached WeChat unrecorded."""
    M = OutboxMessage
    candidates = db.session.execute(
        db.select(M).where(M.channel == "template", M.recipient == openid, M.wechat_msgid.is_(None),
                           db.or_(M.status == "sending",
                                  db.and_(M.status == "failed", M.last_error.startswith("None:"))))
        .limit(2)
    ).scalars().all()
    return candidates[0] if len(candidates) == 1 else None


def _apply_early_finish(msgid):
    status_text = redis_store.client.get(_finish_key(msgid))
    if status_text is not None:
        redis_store.client.delete(_finish_key(msgid))
        mark_template_result(msgid, status_text.decode())
