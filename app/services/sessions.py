"""Bearer-token sessions: random tokens, stored only as SHA-256, with expiry and revocation."""
import hashlib
import secrets
from datetime import timedelta

from app.errors import DomainError
from app.extensions import db
from app.models import Account, AuthSession
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


def resolve_token(token: str) -> AuthSession:
    """The live session for a token, or DomainError UNAUTHORIZED / TOKEN_EXPIRED."""
    if not token:
        raise DomainError("UNAUTHORIZED")
    session = db.session.execute(
        db.select(AuthSession).filter_by(token_hash=_digest(token))
    ).scalar_one_or_none()
    if session is None or session.revoked_at is not None:
        raise DomainError("UNAUTHORIZED")
    if session.expires_at <= utcnow():
        raise DomainError("TOKEN_EXPIRED")
    if session.account_id is not None:
        account = db.session.get(Account, session.account_id)
        if account is None or account.status == "deleted":
            raise DomainError("ACCOUNT_DELETED")
    return session


def revoke_token(token: str):
    session = db.session.execute(
        db.select(AuthSession).filter_by(token_hash=_digest(token))
    ).scalar_one_or_none()
    if session is not None and session.revoked_at is None:
        session.revoked_at = utcnow()
    db.session.commit()


def revoke_all_sessions(account_id):
    """After a password reset or change: every device must log in again. Caller commits."""
    db.session.execute(
        db.update(AuthSession)
        .where(AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
