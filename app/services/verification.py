"""One-time codes sent by SMS or email (registration, password recovery, phone change).

Codes are 6 random digits, kept in Redis only as a keyed digest, expire after
VERIFICATION_CODE_SECONDS (default 300), are single-use, and die after 5 wrong tries.
Requests are rate-limited per phone / address and per client IP with the `limits` library
on our Redis (keys under the instance prefix). The per-number limits are those the SMS
providers enforce by default (Alibaba Cloud and Tencent Cloud alike: 1 a minute, 5 an hour,
10 a day for verification codes), so we refuse before the provider would; a number the
provider refused anyway (app/notify/sms.py remembers it) is refused until the provider's
window ends. The code itself never sits in clear: a digest in Redis, and for sending the
outbox keeps it encrypted until the message leaves, then erases it.
"""
import hashlib
import hmac
import secrets
import uuid

from flask import current_app
from limits import parse_many

from app.errors import DomainError
from app.extensions import redis_store
from app.notify import account_texts
from app.notify.outbox import queue_email, queue_sms
from app.notify.sms import provider_limited
from app.security import pii
from app.services import rate_limits
from app.services.unit_of_work import use_case

PURPOSES = ("register", "reset_password", "change_phone")
CHANNELS = ("sms", "email")
MAX_WRONG_TRIES = 5

# One code a minute and a few an hour to the same phone / address; a client IP may ask for
# more (a school's network registers a class at once), but not for thousands.
PER_TARGET = parse_many("1/minute;5/hour;10/day")
PER_IP = parse_many("30/hour;200/day")


def _target_digest(channel, target):
    return pii.lookup_hash("phone" if channel == "sms" else "email", target.lower())


def _code_key(purpose, channel, target):
    return redis_store.key("code", purpose, channel, _target_digest(channel, target))


def _code_digest(code):
    return hmac.new(current_app.config["SECRET_KEY"].encode(), code.encode(), hashlib.sha256).hexdigest()


def code_seconds():
    return int(current_app.config.get("VERIFICATION_CODE_SECONDS", 300))


def check_rate(channel, target, ip):
    """Counts one request against every limit, or raises CODE_RATE_LIMITED counting none."""
    checks = [(item, ("code-target", _target_digest(channel, target))) for item in PER_TARGET]
    checks += [(item, ("code-ip", ip or "unknown")) for item in PER_IP]
    if channel == "sms" and provider_limited(target):
        raise DomainError("CODE_RATE_LIMITED")
    rate_limits.refuse_when_limited(checks, "CODE_RATE_LIMITED")


@use_case
def issue_code(*, purpose, channel, target, ip, account_id=None):
    """Create a code, store its digest and send it (SMS or email, through the outbox)."""
    if purpose not in PURPOSES or channel not in CHANNELS:
        raise DomainError("VALIDATION_ERROR")
    check_rate(channel, target, ip)
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = code_seconds()
    key = _code_key(purpose, channel, target)
    pipe = redis_store.client.pipeline()
    pipe.delete(key)  # a new code replaces the old one
    pipe.hset(key, mapping={"digest": _code_digest(code), "wrong": 0})
    pipe.expire(key, ttl)
    pipe.execute()
    minutes = max(1, ttl // 60)
    if channel == "sms":
        queue_sms(kind="verification_code", phone_enc=pii.encrypt(target), account_id=account_id,
                  text=account_texts.code_sms(purpose, code, minutes), dedupe_key=f"code:{uuid.uuid4().hex}")
    else:
        queue_email(kind="verification_code", address=target, account_id=account_id,
                    params={"purpose": purpose, "minutes": minutes}, secret={"code": code},
                    dedupe_key=f"code:{uuid.uuid4().hex}")
    return ttl


# One round trip, atomic: the right code deletes the key; a wrong one counts a miss on the key
# only while it still exists (a miss counted by a separate HINCRBY after another request had
# used the code would bring the key back with no expiry) and deletes it at the fifth. The
# digests compared are keyed HMACs of the guess, so comparing them in Lua leaks nothing.
_CONSUME = """
local digest = redis.call('HGET', KEYS[1], 'digest')
if not digest then return -1 end
if digest == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
if redis.call('HINCRBY', KEYS[1], 'wrong', 1) >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) end
return 0
"""


def consume_code(*, purpose, channel, target, code):
    """True once for the right code; CODE_INVALID for a wrong, expired or used one. Of two
    requests racing with the right code, only one gets True."""
    if not code:
        raise DomainError("CODE_INVALID")
    key = _code_key(purpose, channel, target)
    used = redis_store.client.eval(_CONSUME, 1, key, _code_digest(str(code).strip()), MAX_WRONG_TRIES)
    if used != 1:
        raise DomainError("CODE_INVALID")
    return True
