"""用户名修改: once per 180 days, unique; the old name stops logging in at once (login looks
accounts up by their current username only)."""
from sqlalchemy.exc import IntegrityError

from app.domain import username_change as rules
from app.errors import DomainError
from app.extensions import db
from app.models import Account
from app.services import authz
from app.services.registration import check_unique
from app.services.unit_of_work import use_case
from app.timeutil import to_iso, utcnow


@use_case
def change_username(account, new_username):
    now = utcnow()
    new_username = (new_username or "").strip()
    last = account.username_changed_at
    try:
        rules.check_change(account.username, new_username, last, now)
    except DomainError as refusal:
        if "next_allowed_at" in refusal.details:
            refusal.details["next_allowed_at"] = to_iso(refusal.details["next_allowed_at"])
        raise
    check_unique(username=new_username, except_account_id=account.id)
    old = account.username
    # Conditional on the change time we read: two changes at once cannot both pass the 180 days.
    condition = Account.username_changed_at.is_(None) if last is None else Account.username_changed_at == last
    try:
        changed = db.session.execute(
            db.update(Account).where(Account.id == account.id, condition)
            .values(username=new_username, username_changed_at=now).execution_options(synchronize_session=False)
        ).rowcount
    except IntegrityError:  # the same name taken at the same moment
        raise DomainError("USERNAME_EXISTS") from None
    if changed != 1:
        raise DomainError("USERNAME_CHANGE_TOO_SOON")
    db.session.expire(account)
    authz.audit(account, "account.username_change", target_type="account", target_id=account.id,
                detail={"from": old, "to": new_username})
    return account
