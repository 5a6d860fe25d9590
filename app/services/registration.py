"""个人注册 and 完善资料: a volunteer registers, the identity check starts, the home
organisation's admin reviews; a rejected volunteer fixes the profile and is reviewed again."""
from sqlalchemy.exc import IntegrityError

from app.domain import registration as fields_rules
from app.domain import review as review_rules
from app.domain.numbers import new_volunteer_number
from app.errors import DomainError
from app.extensions import db, jobs
from app.models import Account, Organisation, Volunteer
from app.security import pii
from app.security.passwords import hash_password, password_problem
from app.services import rate_limits, verification
from app.services.identity_check import request_check, run_identity_check
from app.services.unit_of_work import after_commit, use_case
from app.timeutil import utcnow


def approved_org(org_id):
    org = db.session.get(Organisation, org_id) if org_id is not None else None
    if org is None or org.status != "approved":
        raise DomainError("ORG_NOT_FOUND")
    return org


def check_unique(*, id_number=None, phone=None, email=None, username=None, except_account_id=None):
    """Distinct codes, each pointing to password recovery (FAQ: "手机号已存在")."""
    checks = (
        ("ID_NUMBER_EXISTS", id_number, lambda v: Account.id_number_hash == pii.lookup_hash("id", v)),
        ("PHONE_EXISTS", phone, lambda v: Account.phone_hash == pii.lookup_hash("phone", v)),
        ("EMAIL_EXISTS", email, lambda v: Account.email == v),
        ("USERNAME_EXISTS", username, lambda v: Account.username == v),
    )
    for code, value, condition in checks:
        if not value:
            continue
        query = db.select(Account.id).where(condition(value))
        if except_account_id is not None:
            query = query.where(Account.id != except_account_id)
        if db.session.execute(query.limit(1)).first() is not None:
            raise DomainError(code)


def normalise_phone(phone):
    return fields_rules.normalise_phone(phone)


def normalise_identity(*, id_type, id_number, phone, username, email):
    id_number = fields_rules.normalise_id(id_type, id_number)
    phone = fields_rules.normalise_phone(phone) if phone is not None else None
    username = fields_rules.check_username(username or None)
    email = (email or "").strip().lower() or None
    return id_number, phone, username, email


@use_case
def register_volunteer(*, password, real_name, gender, id_type, id_number, phone, sms_code, home_org_id,
                       agreed, username=None, email=None, education=None, service_intentions=None, ip=None):
    """Creates the account and the volunteer (待审核, check 请求中); the check job runs after commit.
    ip: the client's address, counted against REGISTER_RATE_PER_ADDRESS."""
    if ip is not None:
        rate_limits.check("register", ip)
    if not agreed:
        raise DomainError("AGREEMENT_REQUIRED")
    problem = password_problem(password)
    if problem:
        raise DomainError(problem)
    id_number, phone, username, email = normalise_identity(id_type=id_type, id_number=id_number, phone=phone,
                                                           username=username, email=email)
    org = approved_org(home_org_id)
    check_unique(id_number=id_number, phone=phone, email=email, username=username)
    verification.consume_code(purpose="register", channel="sms", target=phone, code=sms_code)

    now = utcnow()
    account = Account(username=username, email=email, real_name=real_name.strip(), gender=gender,
                      id_type=id_type, password_hash=hash_password(password))
    account.id_number = id_number
    account.phone = phone
    db.session.add(account)
    try:
        db.session.flush()
        volunteer = Volunteer(account_id=account.id, volunteer_number=_unused_volunteer_number(),
                              home_org_id=org.id, review_status=review_rules.PENDING,
                              identity_check_status="requested", identity_check_requested_at=now,
                              education=education, service_intentions=service_intentions or [],
                              agreed_at=now)
        db.session.add(volunteer)
        db.session.flush()
    except IntegrityError:
        # A registration with the same number won the race: answer as if we had seen it first
        # (the failed flush left the session unusable until it rolls back).
        db.session.rollback()
        check_unique(id_number=id_number, phone=phone, email=email, username=username)
        raise
    after_commit(jobs.enqueue, run_identity_check, volunteer.id)
    return volunteer


def _unused_volunteer_number():
    while True:
        number = new_volunteer_number()
        if db.session.execute(db.select(Volunteer.id).filter_by(volunteer_number=number)).first() is None:
            return number


EDITABLE_ALWAYS = ("email", "education", "service_intentions", "gender")
EDITABLE_WHEN_REJECTED = ("real_name", "id_type", "id_number", "home_org_id")


@use_case
def update_profile(account, changes, *, phone=None, sms_code=None):
    """完善资料. An approved volunteer may change contact and service details; a rejected one
    may fix everything, and saving puts the registration back to 待审核 (re-checking the
    identity when name or number changed, or when the check said 不通过)."""
    volunteer = account.volunteer
    if volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    rejected = volunteer.review_status == review_rules.REJECTED
    allowed = EDITABLE_ALWAYS + (EDITABLE_WHEN_REJECTED if rejected else ())
    refused = [name for name in changes if name not in allowed]
    if refused:
        raise DomainError("VALIDATION_ERROR", fields={name: ["审核通过后不可修改此项。"] for name in refused})

    if "email" in changes:
        email = (changes["email"] or "").strip().lower() or None
        check_unique(email=email, except_account_id=account.id)
        account.email = email
    if "education" in changes:
        volunteer.education = changes["education"]
    if "service_intentions" in changes:
        volunteer.service_intentions = changes["service_intentions"] or []
    if "gender" in changes:
        account.gender = changes["gender"]

    identity_changed = False
    if rejected:
        id_type = changes.get("id_type", account.id_type)
        if "id_number" in changes or "id_type" in changes:
            number = fields_rules.normalise_id(id_type, changes.get("id_number", account.id_number))
            check_unique(id_number=number, except_account_id=account.id)
            identity_changed = number != account.id_number or id_type != account.id_type
            account.id_type, account.id_number = id_type, number
        if "real_name" in changes and changes["real_name"].strip() != account.real_name:
            account.real_name = changes["real_name"].strip()
            identity_changed = True
        if "home_org_id" in changes:
            volunteer.home_org_id = approved_org(changes["home_org_id"]).id

    if phone is not None:
        phone = fields_rules.normalise_phone(phone)
        if phone != account.phone:
            check_unique(phone=phone, except_account_id=account.id)
            verification.consume_code(purpose="change_phone", channel="sms", target=phone, code=sms_code)
            account.phone = phone

    if rejected:
        volunteer.review_status = review_rules.transition(volunteer.review_status, "resubmit")
        volunteer.review_reason = None
        volunteer.reviewed_at = None
        volunteer.reviewed_by = None
        if identity_changed or volunteer.identity_check_status == "failed":
            request_check(volunteer)
            after_commit(jobs.enqueue, run_identity_check, volunteer.id)
    return volunteer
