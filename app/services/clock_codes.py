"""The codes a clock scan reads: the signing keys, the admin's check-in / check-out code and the
volunteer's rotating personal code.

The keys: CLOCK_CODE_KEYS (app/config.py; "id:secret,…" oldest first, the last signs from
CLOCK_CODE_ROTATED_AT on, the one before it accepted for CLOCK_CODE_SECONDS + CLOCK_CODE_SKEW_SECONDS
after that), or by default one key, id 0, derived from SECRET_KEY as before key ids existed.

issue_clock_code: the admin's screen shows a signed code (app/domain/codes.py) that lives
CLOCK_CODE_SECONDS; a volunteer scans it (app/services/clocking.py scan). personal_code: the
volunteer's 30-second code, which an admin scans (clocking.scan_volunteer).
"""
import time
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from app.domain import codes
from app.domain.clocking import may_issue_code
from app.errors import DomainError
from app.services import authz
from app.services.activities import managed_activity
from app.services.unit_of_work import use_case
from app.timeutil import to_iso, utcnow

_EPOCH = datetime(1970, 1, 1)


def clock_key() -> bytes:
    """The key derived from SECRET_KEY: card tokens (printed, so they do not rotate with the clock
    codes' keys) and key 0 of the default keyring."""
    keys = current_app.extensions.setdefault("izyz_code_keys", {})
    key = keys.get("clock")
    if key is None:
        key = _derive(current_app.config["SECRET_KEY"])
        keys["clock"] = key
    return key


def clock_keyring() -> codes.Keyring:
    """The clock and personal codes' keys (app/domain/codes.py Keyring), built once per app."""
    keys = current_app.extensions.setdefault("izyz_code_keys", {})
    ring = keys.get("ring")
    if ring is None:
        config = current_app.config
        configured = config.get("CLOCK_CODE_KEYS") or []
        if configured:
            ring = codes.Keyring(tuple(codes.SigningKey(key_id, _derive(secret)) for key_id, secret in configured),
                                 rotated_at=config.get("CLOCK_CODE_ROTATED_AT"),
                                 grace=config["CLOCK_CODE_SECONDS"] + config.get("CLOCK_CODE_SKEW_SECONDS", 30))
        else:
            ring = codes.Keyring.of(clock_key())
        keys["ring"] = ring
    return ring


def _derive(secret: str) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"izyz-clock-code").derive(secret.encode("utf-8"))


def epoch(dt) -> int:
    """Naive UTC datetime → Unix seconds (what the codes carry)."""
    return int((dt - _EPOCH).total_seconds())


def from_epoch(seconds):
    """Unix seconds → naive UTC datetime."""
    return _EPOCH + timedelta(seconds=seconds)


@use_case
def issue_clock_code(admin, activity_id, kind, now=None):
    """A fresh signed code for the activity. Returns {"code", "kind", "activity_id", "expires_at"}."""
    activity = managed_activity(admin, activity_id)
    if activity.revoked_at is not None:
        raise DomainError("ACTIVITY_REVOKED")
    now = now or utcnow()
    if not may_issue_code(kind, now, activity.start_at, activity.end_at):
        raise DomainError("CLOCK_CODE_NOT_YET")
    expires = now + timedelta(seconds=current_app.config["CLOCK_CODE_SECONDS"])
    code = codes.make_clock_code(clock_keyring(), activity_id=activity.id, kind=kind, expires_at=epoch(expires),
                                 now=epoch(now))
    authz.audit(admin, "activity.clock_code", org_id=activity.org_id, target_type="activity",
                target_id=activity.id, detail={"kind": kind, "expires_at": to_iso(expires)})
    return {"code": code, "kind": kind, "activity_id": activity.id, "expires_at": from_epoch(epoch(expires))}


def personal_code(account, now=None):
    """The volunteer's rotating personal code (30 s) for an admin to scan."""
    volunteer = account.volunteer
    if volunteer is None:
        raise DomainError("CLOCK_NOT_A_VOLUNTEER")
    seconds = int(time.time()) if now is None else epoch(now)
    step_end = (codes.personal_step(seconds) + 1) * codes.PERSONAL_STEP_SECONDS
    return {"code": codes.make_personal_code(clock_keyring(), volunteer.id, seconds),
            "expires_at": from_epoch(step_end), "refresh_in": step_end - seconds}
