"""Password login by any identifier, with lockout against guessing."""
from app.errors import DomainError
from app.extensions import db, redis_store
from app.models import Account, Volunteer
from app.security import pii
from app.security.passwords import DUMMY_HASH, verify_password
from app.services.sessions import issue_token
from app.services.unit_of_work import use_case


def find_account(identifier: str):
    """Phone, email, ID number, username or volunteer number: any of them logs in."""
    identifier = identifier.strip()
    if not identifier:
        return None
    candidates = [
        Account.username == identifier,
        Account.email == identifier.lower(),
        Account.phone_hash == pii.lookup_hash("phone", identifier),
        Account.id_number_hash == pii.lookup_hash("id", identifier),
    ]
    for condition in candidates:
        account = db.session.execute(db.select(Account).where(condition)).scalar_one_or_none()
        if account is not None:
            return account
    volunteer = db.session.execute(
        db.select(Volunteer).filter_by(volunteer_number=identifier)
    ).scalar_one_or_none()
    return volunteer.account if volunteer else None


def _failure_key(account_id):
    return redis_store.key("login-failures", account_id)


@use_case
def login(identifier, password, *, config):
    """Returns (token, account). Raises DomainError with the manual's messages."""
    account = verify_credentials(identifier, password, config=config)
    token, _ = issue_token(config["SESSION_TTL_SECONDS"], account_id=account.id)
    return token, account


def verify_credentials(identifier, password, *, config):
    """The account, when the identifier and password match and it may log in; every surface
    that takes a password (API login, WeChat binding) goes through here, lockout included."""
    account = find_account(identifier)
    if account is None:
        verify_password(DUMMY_HASH, password)  # same cost as a real check
        raise DomainError("INVALID_CREDENTIALS")

    if is_password_unset(account):
        # Imported in bulk: no password exists yet; it is set through a recovery code.
        verify_password(DUMMY_HASH, password)
        raise DomainError("PASSWORD_NOT_SET")

    failures_key = _failure_key(account.id)
    failures = int(redis_store.client.get(failures_key) or 0)
    if failures >= config["LOGIN_MAX_FAILURES"]:
        raise DomainError("ACCOUNT_LOCKED")

    if not verify_password(account.password_hash, password):
        pipe = redis_store.client.pipeline()
        pipe.incr(failures_key)
        pipe.expire(failures_key, config["LOGIN_LOCK_SECONDS"])
        pipe.execute()
        raise DomainError("INVALID_CREDENTIALS")
    redis_store.client.delete(failures_key)

    check_may_log_in(account, config)
    return account


def check_may_log_in(account, config):
    if account.status == "deleted":
        raise DomainError("ACCOUNT_DELETED")
    if account.is_demo and not config["DEMO_DATA"]:
        raise DomainError("DEMO_ACCOUNT_DISABLED")
    volunteer = account.volunteer
    org_statuses = {link.organisation.status for link in account.admin_of}
    runs_an_org = "approved" in org_statuses or account.is_platform_admin
    # An org admin who is also a pending volunteer still runs the organisation.
    if volunteer is not None and not runs_an_org:
        if volunteer.review_status == "pending":
            raise DomainError("ACCOUNT_PENDING")
    if volunteer is None and not runs_an_org and org_statuses:
        if "pending" in org_statuses:
            raise DomainError("ORG_PENDING")
        reasons = [link.organisation.reject_reason for link in account.admin_of if link.organisation.reject_reason]
        raise DomainError("ORG_REJECTED", reason=reasons[0] if reasons else None)


# Unusable password hashes start with this (argon2 hashes start with "$argon2").
UNSET_PASSWORD_PREFIX = "!unset:"


def is_password_unset(account):
    return account.password_hash.startswith(UNSET_PASSWORD_PREFIX)


def session_restriction(account):
    """What a logged-in account must do before anything else, as an error code, or None.

    PASSWORD_CHANGE_REQUIRED: imported accounts and admin resets change the password first.
    ACCOUNT_REJECTED: a rejected volunteer may only fix and resubmit the profile (完善资料).
    """
    volunteer = account.volunteer
    return _restriction(account.must_change_password, volunteer.review_status if volunteer else None,
                        account.is_platform_admin, lambda: _admins_approved_org(account.admin_of))


def caller_restriction(caller):
    """session_restriction for a sessions.Caller, loading the account only in the rare case
    (a rejected volunteer who might also administer an organisation) that needs it."""
    return _restriction(caller.must_change_password, caller.review_status, caller.is_platform_admin,
                        lambda: _admins_approved_org(db.session.get(Account, caller.account_id).admin_of))


def _restriction(must_change_password, review_status, is_platform_admin, admins_approved_org):
    if must_change_password:
        return "PASSWORD_CHANGE_REQUIRED"
    if review_status == "rejected" and not is_platform_admin and not admins_approved_org():
        return "ACCOUNT_REJECTED"
    return None


def _admins_approved_org(admin_links):
    return any(link.organisation.status == "approved" for link in admin_links)
