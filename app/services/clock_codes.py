"""The codes a clock scan reads: the signing key, the admin's check-in / check-out code and the
volunteer's rotating personal code.

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
    """The code-signing key: HKDF from SECRET_KEY (so rotating SECRET_KEY rotates it)."""
    keys = current_app.extensions.setdefault("izyz_code_keys", {})
    key = keys.get("clock")
    if key is None:
        key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"izyz-clock-code").derive(
            current_app.config["SECRET_KEY"].encode("utf-8"))
        keys["clock"] = key
    return key


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
    code = codes.make_clock_code(clock_key(), activity_id=activity.id, kind=kind, expires_at=epoch(expires))
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
    return {"code": codes.make_personal_code(clock_key(), volunteer.id, seconds),
            "expires_at": from_epoch(step_end), "refresh_in": step_end - seconds}
