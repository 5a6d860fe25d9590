"""Bearer-token sessions: random tokens, stored only as SHA-256, with expiry and revocation."""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy.orm import joinedload

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


# Built once: constructing the statement on every request cost more CPU than running it.
# The volunteer profile comes in the same round trip: login_required's restriction check reads
# its review status on every request.
_TOKEN_QUERY = (db.select(AuthSession, Account).outerjoin(Account, Account.id == AuthSession.account_id)
                .options(joinedload(Account.volunteer))
                .where(AuthSession.token_hash == db.bindparam("token_hash")))


def resolve_token(token: str) -> AuthSession:
    """The live session for a token, or DomainError UNAUTHORIZED / TOKEN_EXPIRED."""
    return resolve_token_and_account(token)[0]


def resolve_token_and_account(token: str):
    """(session, account or None) in one query: every API request starts here, so it costs one
    database round trip, and the caller keeps the account (the identity map holds it weakly)."""
    if not token:
        raise DomainError("UNAUTHORIZED")
    row = db.session.execute(_TOKEN_QUERY, {"token_hash": _digest(token)}).first()
    if row is None or row[0].revoked_at is not None:
        raise DomainError("UNAUTHORIZED")
    session, account = row
    if session.expires_at <= utcnow():
        raise DomainError("TOKEN_EXPIRED")
    if session.account_id is not None and (account is None or account.status == "deleted"):
        raise DomainError("ACCOUNT_DELETED")
    return session, account


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
