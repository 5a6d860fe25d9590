"""Password login by any identifier, with a stop to guessing that a stranger cannot turn against
the owner.

- Per account and address: LOGIN_MAX_FAILURES wrong passwords from one client address lock that
  address out of that account for LOGIN_LOCK_SECONDS (ACCOUNT_LOCKED, with Retry-After), even
  against the right password. The owner elsewhere is not affected.
- Per account, from every address: after LOGIN_CAPTCHA_FAILURES wrong passwords within
  LOGIN_ACCOUNT_WINDOW_SECONDS, every attempt on the account must carry a solved captcha
  (CAPTCHA_REQUIRED; POST /api/v1/auth/captcha serves one): guessing from many addresses goes
  on only at a person's pace, while the owner, who can read the picture, still signs in.
- A captcha asked for but missing or wrong counts no failure and checks no password.
A new password (recovery, change, an admin's reset) clears both counts.
"""
import hashlib

from app.errors import DomainError
from app.extensions import db, redis_store
from app.models import Account, Volunteer
from app.security import pii
from app.security.passwords import DUMMY_HASH, verify_password
from app.services import captcha as captchas
from app.services import rate_limits
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
    """Wrong passwords for the account from every address (a counter)."""
    return redis_store.key("login-failures", account_id)


def _address_failures_key(account_id):
    """Wrong passwords for the account by client address (a hash: address digest → count)."""
    return redis_store.key("login-failures-by-address", account_id)


def clear_failures(account_id):
    """A new password starts afresh."""
    redis_store.client.delete(_failure_key(account_id), _address_failures_key(account_id))


def _address(ip):
    return hashlib.sha256((ip or "unknown").encode()).hexdigest()[:16]


@use_case
def login(identifier, password, *, config, ip=None, captcha=None):
    """Returns (token, account). Raises DomainError with the manual's messages."""
    account = verify_credentials(identifier, password, config=config, ip=ip, captcha=captcha)
    token, _ = issue_token(config["SESSION_TTL_SECONDS"], account_id=account.id)
    return token, account


def verify_credentials(identifier, password, *, config, ip=None, captcha=None):
    """The account, when the identifier and password match and it may log in; every surface
    that takes a password (API login, WeChat binding) goes through here, the guessing stops
    included. ip: the client's address (counted against LOGIN_RATE_PER_ADDRESS); captcha:
    (captcha_id, answer) when the client sent one."""
    if ip is not None:
        rate_limits.check("login", ip)
    account = find_account(identifier)
    if account is None:
        verify_password(DUMMY_HASH, password)  # same cost as a real check
        raise DomainError("INVALID_CREDENTIALS")

    if is_password_unset(account):
        # Imported in bulk: no password exists yet; it is set through a recovery code.
        verify_password(DUMMY_HASH, password)
        raise DomainError("PASSWORD_NOT_SET")

    client = redis_store.client
    by_address, address = _address_failures_key(account.id), _address(ip)
    pipe = client.pipeline()
    pipe.hget(by_address, address)
    pipe.ttl(by_address)
    pipe.get(_failure_key(account.id))
    from_here, lock_left, everywhere = pipe.execute()
    if int(from_here or 0) >= config["LOGIN_MAX_FAILURES"]:
        raise DomainError("ACCOUNT_LOCKED", retry_after=max(int(lock_left or 0), 1))
    if int(everywhere or 0) >= config["LOGIN_CAPTCHA_FAILURES"]:
        if not captcha or not captcha[0]:
            raise DomainError("CAPTCHA_REQUIRED")
        if not captchas.solved(*captcha):
            raise DomainError("CAPTCHA_INVALID")

    if not verify_password(account.password_hash, password):
        pipe = client.pipeline()
        pipe.hincrby(by_address, address, 1)
        pipe.expire(by_address, config["LOGIN_LOCK_SECONDS"])
        pipe.incr(_failure_key(account.id))
        pipe.expire(_failure_key(account.id), config["LOGIN_ACCOUNT_WINDOW_SECONDS"])
        _, _, total, _ = pipe.execute()
        # Tells the client to show a captcha with the next attempt.
        raise DomainError("INVALID_CREDENTIALS",
                          captcha_required=True if total >= config["LOGIN_CAPTCHA_FAILURES"] else None)
    client.hdel(by_address, address)

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
