"""Bearer-token sessions: random tokens, stored only as SHA-256, with expiry and revocation."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from app.errors import DomainError
from app.extensions import db
from app.models import Account, AuthSession, Volunteer
from app.services.unit_of_work import use_case
from app.timeutil import utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(ttl_seconds, account_id=None, wechat_identity_id=None):
    """Adds the session to the current transaction; the caller commits. Returns (token, session)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = AuthSession(
        token_hash=_digest(token),
        account_id=account_id,
        wechat_identity_id=wechat_identity_id,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    db.session.add(session)
    return token, session


@dataclass(frozen=True)
class Caller:
    """Who a bearer token speaks for: the few columns every API request checks."""

    session_id: int
    account_id: int | None
    must_change_password: bool = False
    is_platform_admin: bool = False
    review_status: str | None = None  # of the account's volunteer profile, if any


# Built once, plain columns only: every API request starts here, and loading the session, the
# account and the volunteer profile as ORM objects cost more CPU than the database took to answer.
# A view that needs the account loads it on first use (app/request_globals.py).
_sessions, _accounts, _volunteers = AuthSession.__table__.c, Account.__table__.c, Volunteer.__table__.c
_CALLER_QUERY = (db.select(_sessions.id, _sessions.account_id, _sessions.expires_at, _sessions.revoked_at,
                           _accounts.id, _accounts.status, _accounts.must_change_password,
                           _accounts.is_platform_admin, _volunteers.review_status)
                 .select_from(AuthSession.__table__)
                 .outerjoin(Account.__table__, _accounts.id == _sessions.account_id)
                 .outerjoin(Volunteer.__table__, _volunteers.account_id == _accounts.id)
                 .where(_sessions.token_hash == db.bindparam("token_hash")))


def resolve_caller(token: str) -> Caller:
    """The live session for a token as a Caller, or DomainError UNAUTHORIZED / TOKEN_EXPIRED /
    ACCOUNT_DELETED. One round trip."""
    if not token:
        raise DomainError("UNAUTHORIZED")
    row = db.session.connection().execute(_CALLER_QUERY, {"token_hash": _digest(token)}).first()
    if row is None:
        raise DomainError("UNAUTHORIZED")
    session_id, account_id, expires_at, revoked_at, found_id, status, must_change, platform_admin, review = row
    if revoked_at is not None:
        raise DomainError("UNAUTHORIZED")
    if expires_at <= utcnow():
        raise DomainError("TOKEN_EXPIRED")
    if account_id is not None and (found_id is None or status == "deleted"):
        raise DomainError("ACCOUNT_DELETED")
    return Caller(session_id, account_id, bool(must_change), bool(platform_admin), review)


@use_case
def revoke_token(token: str):
    session = db.session.execute(
        db.select(AuthSession).filter_by(token_hash=_digest(token))
    ).scalar_one_or_none()
    if session is not None and session.revoked_at is None:
        session.revoked_at = utcnow()


def revoke_all_sessions(account_id):
    """After a password reset or change: every device must log in again. Caller commits."""
    db.session.execute(
        db.update(AuthSession)
        .where(AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
