"""Password change, recovery by SMS or email code, and resets by an organisation admin."""
import secrets
import string
import uuid

from app.errors import DomainError
from app.extensions import db
from app.models import OrgAdmin
from app.notify import account_texts
from app.notify.outbox import queue_sms
from app.security import pii
from app.security.passwords import hash_password, password_problem, verify_password
from app.services import authz, verification
from app.services.login import UNSET_PASSWORD_PREFIX, clear_failures, find_account, is_password_unset
from app.services.sessions import issue_token, revoke_all_sessions
from app.services.unit_of_work import after_commit, use_case


def _set_password(account, new_password, *, must_change=False):
    problem = password_problem(new_password)
    if problem:
        raise DomainError(problem)
    account.password_hash = hash_password(new_password)
    account.must_change_password = must_change
    after_commit(clear_failures, account.id)  # a new password unlocks, once it is saved


@use_case
def change_password(account, old_password, new_password, *, ttl_seconds):
    """修改密码. Every other session ends; the caller gets a fresh token."""
    if is_password_unset(account) or not verify_password(account.password_hash, old_password):
        raise DomainError("WRONG_PASSWORD")
    if old_password == new_password:
        raise DomainError("WEAK_PASSWORD", "新密码不能与原密码相同。")
    _set_password(account, new_password)
    revoke_all_sessions(account.id)
    token, _ = issue_token(ttl_seconds, account_id=account.id)
    return token


def _recovery_target(account, channel):
    target = account.phone if channel == "sms" else account.email
    if not target:
        raise DomainError("NO_RECOVERY_CHANNEL")
    return target


@use_case
def request_recovery_code(identifier, channel, *, ip):
    """忘记密码: a code to the account's own phone or email. Returns the masked destination."""
    account = find_account(identifier)
    if account is None:
        raise DomainError("ACCOUNT_NOT_FOUND")
    if account.status == "deleted":
        raise DomainError("ACCOUNT_DELETED")  # restored by the home organisation's admin
    target = _recovery_target(account, channel)
    verification.issue_code(purpose="reset_password", channel=channel, target=target, ip=ip,
                            account_id=account.id)
    return pii.mask_phone(target) if channel == "sms" else mask_email(target)


@use_case
def reset_password_with_code(identifier, channel, code, new_password):
    """Sets the new password (also the first one of an imported account); ends every session."""
    account = find_account(identifier)
    if account is None or account.status == "deleted":
        raise DomainError("CODE_INVALID")
    problem = password_problem(new_password)
    if problem:
        raise DomainError(problem)
    verification.consume_code(purpose="reset_password", channel=channel,
                              target=_recovery_target(account, channel), code=code)
    _set_password(account, new_password)
    revoke_all_sessions(account.id)
    return account


def mask_email(email):
    name, _, domain = email.partition("@")
    return (name[:1] + "***@" + domain) if domain else "***"


def _temporary_password():
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(10))
        if password_problem(candidate) is None:
            return candidate


def _reset_by_admin(admin, account, *, org_id, target_type, target_id):
    """The shared part of the two admin resets below (each of them is the use case)."""
    if not account.phone:
        raise DomainError("NO_PHONE_FOR_RESET")
    temporary = _temporary_password()
    _set_password(account, temporary, must_change=True)
    revoke_all_sessions(account.id)
    # The temporary password goes to the person's own phone only, never to the admin.
    queue_sms(kind="password_reset", phone_enc=account.phone_enc, account_id=account.id,
              dedupe_key=f"password-reset:{account.id}:{uuid.uuid4().hex}",
              text=account_texts.temporary_password_sms(temporary))
    authz.audit(admin, "account.password_reset", org_id=org_id, target_type=target_type, target_id=target_id)
    return pii.mask_phone(account.phone)


@use_case
def admin_reset_volunteer_password(admin, volunteer_id):
    """重置志愿者密码: by an admin of the volunteer's home organisation (or above it)."""
    volunteer = authz.require_volunteer(admin, volunteer_id)
    return _reset_by_admin(admin, volunteer.account, org_id=volunteer.home_org_id,
                           target_type="volunteer", target_id=volunteer.id)


@use_case
def admin_reset_org_admin_password(admin, org_id, account_id):
    """重置组织密码: the parent's admin resets the password of a child organisation's admin."""
    org = authz.require_child_org(admin, org_id)
    link = db.session.execute(db.select(OrgAdmin).filter_by(org_id=org.id, account_id=account_id)).scalar_one_or_none()
    if link is None:
        raise DomainError("NOT_FOUND")
    return _reset_by_admin(admin, link.account, org_id=org.id, target_type="org_admin", target_id=account_id)


def unusable_password_hash():
    """For imported accounts: nothing logs in until a password is set with a recovery code."""
    return UNSET_PASSWORD_PREFIX + secrets.token_hex(16)
