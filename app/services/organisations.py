"""组织注册 and its review by the parent's admin; organisation search and page data."""
import os
import uuid
from pathlib import Path

from app.domain import id_photo
from app.domain import review as review_rules
from app.errors import DomainError
from app.extensions import db
from app.models import Account, OrgAdmin, Organisation
from app.models.organisation import ORG_CATEGORIES, ORG_CATEGORY_LABELS  # noqa: F401 (labels: for the adapters)
from app.notify import account_texts
from app.notify.outbox import queue_message
from app.security import pii
from app.security.passwords import hash_password, password_problem
from app.services import authz, rate_limits, uploads, verification
from app.services.registration import approved_org, check_unique, normalise_identity
from app.services.unit_of_work import use_case
from app.timeutil import utcnow

REGISTRABLE_CATEGORIES = tuple(c for c in ORG_CATEGORIES if c != "province")
# A logged-in account registers few organisations at a time (each brings a photo of up to 5 MB).
MAX_PENDING_REGISTRATIONS = 3
CORRECTABLE = ("name", "category", "region_code", "is_legal_person", "description")


def store_id_photo(stream, upload_dir):
    """Checks type (by content) and size, writes the file outside the web root with a random
    name and owner-only permissions. Returns its path relative to upload_dir."""
    data = stream.read(id_photo.MAX_BYTES + 1)
    if not data:
        raise DomainError("PHOTO_REQUIRED")
    if len(data) > id_photo.MAX_BYTES:
        raise DomainError("PHOTO_TOO_LARGE")
    kind = id_photo.sniff_image_type(data[:16])
    if kind is None or uploads.content_type_of(data, ("image/jpeg", "image/png")) is None:
        raise DomainError("PHOTO_TYPE")
    relative = Path("id-photos") / f"{uuid.uuid4().hex}{id_photo.EXTENSIONS[kind]}"
    target = Path(upload_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return str(relative)


def register_organisation(*, upload_dir, **registration):
    """A new organisation (待审核) under its parent, with its admin: the logged-in account (the
    same person may be a volunteer and an org admin) or a new account with the admin's identity.

    registration: the keyword arguments of _register below. The ID photo is written under
    upload_dir before the rows, and removed again when the registration does not commit (a
    refusal, or a failure of the commit itself), so no file is left that no row names.
    """
    ip = registration.pop("ip", None)
    if ip is not None:
        rate_limits.check("register", ip)  # before the photo is written
    written = []
    try:
        return _register(upload_dir=upload_dir, written=written, **registration)
    except BaseException:
        for relative in written:
            (Path(upload_dir) / relative).unlink(missing_ok=True)
        raise


@use_case
def _register(*, name, category, parent_id, is_legal_person, region_code, agreed, photo, upload_dir, written,
              current_account=None, description=None, contact_phone=None, username=None, password=None,
              real_name=None, id_type=None, id_number=None, phone=None, sms_code=None, email=None):
    if not agreed:
        raise DomainError("AGREEMENT_REQUIRED")
    if category not in REGISTRABLE_CATEGORIES:
        raise DomainError("ORG_CATEGORY_INVALID")
    if parent_id is None:
        raise DomainError("PARENT_ORG_REQUIRED")
    parent = approved_org(parent_id)
    if current_account is None:
        missing = {f: ["缺少该项。"] for f, v in (("username", username), ("password", password),
                                                  ("real_name", real_name), ("id_type", id_type),
                                                  ("id_number", id_number), ("phone", phone)) if not v}
        if missing:
            raise DomainError("VALIDATION_ERROR", fields=missing)
        problem = password_problem(password)
        if problem:
            raise DomainError(problem)
        id_number, phone, username, email = normalise_identity(id_type=id_type, id_number=id_number, phone=phone,
                                                               username=username, email=email)
        check_unique(id_number=id_number, phone=phone, email=email, username=username)
    elif _pending_registrations(current_account) >= MAX_PENDING_REGISTRATIONS:
        raise DomainError("RATE_LIMITED", "您已有多个组织注册在等待审核，请等审核后再提交。")
    if photo is None:
        raise DomainError("PHOTO_REQUIRED")
    photo_path = store_id_photo(photo, upload_dir)
    written.append(photo_path)
    if current_account is None:
        verification.consume_code(purpose="register", channel="sms", target=phone, code=sms_code)
        account = Account(username=username, email=email, real_name=real_name.strip(), id_type=id_type,
                          password_hash=hash_password(password))
        account.id_number = id_number
        account.phone = phone
        db.session.add(account)
    else:
        account = current_account
    org = Organisation(name=name.strip(), category=category, parent_id=parent.id, region_code=region_code,
                       is_legal_person=bool(is_legal_person), status=review_rules.PENDING,
                       description=description, id_photo_path=photo_path,
                       contact_phone_enc=pii.encrypt(contact_phone) if contact_phone else None)
    db.session.add(org)
    db.session.flush()
    org.path = f"{parent.path}{org.id}/"
    db.session.add(OrgAdmin(org_id=org.id, account_id=account.id))
    return org


def _pending_registrations(account):
    return db.session.execute(
        db.select(db.func.count(OrgAdmin.id)).join(Organisation, Organisation.id == OrgAdmin.org_id)
        .where(OrgAdmin.account_id == account.id, Organisation.status == review_rules.PENDING)
    ).scalar_one()


def list_registrations(admin, status="pending"):
    query = db.select(Organisation).where(authz.child_registration_filter(admin))
    if status:
        query = query.where(Organisation.status == status)
    return db.session.execute(query.order_by(Organisation.id)).scalars().all()


def org_admins(org):
    return db.session.execute(
        db.select(Account).join(OrgAdmin, OrgAdmin.account_id == Account.id).where(OrgAdmin.org_id == org.id)
        .order_by(Account.id)
    ).scalars().all()


@use_case
def review_organisation(admin, org_id, approve, reason=None):
    """The parent's admin passes or rejects (with a reason); the applicant is notified."""
    org = authz.require_child_org(admin, org_id)
    problem = review_rules.decision_problem(approve, reason)
    if problem:
        raise DomainError(problem)
    new_status = review_rules.transition(org.status, "approve" if approve else "reject", refusal="ALREADY_REVIEWED")
    now = utcnow()
    claimed = db.session.execute(
        db.update(Organisation).where(Organisation.id == org.id, Organisation.status == review_rules.PENDING)
        .values(status=new_status, reject_reason=None if approve else reason.strip(), reviewed_at=now,
                reviewed_by=admin.id)
    ).rowcount
    if not claimed:
        raise DomainError("ALREADY_REVIEWED")
    authz.audit(admin, "organisation.review", org_id=org.id, target_type="organisation", target_id=org.id,
                detail={"approve": approve, "reason": org.reject_reason})
    for account in org_admins(org):
        queue_message(kind="review_result", account_id=account.id,
                      dedupe_key=f"org-review:{org.id}:{account.id}:{now:%Y%m%d%H%M%S%f}",
                      fields={"name": org.name, "result": "通过" if approve else "未通过",
                              "reason": org.reject_reason or ""},
                      sms_text=account_texts.org_review_sms(org.name, approve, org.reject_reason))
    return org


@use_case
def correct_organisation(admin, org_id, changes):
    """修改组织信息 by the parent's admin; a rejected registration goes back to 待审核."""
    org = authz.require_child_org(admin, org_id)
    unknown = [k for k in changes if k not in CORRECTABLE]
    if unknown:
        raise DomainError("VALIDATION_ERROR", fields={k: ["不可修改此项。"] for k in unknown})
    if "category" in changes and changes["category"] not in REGISTRABLE_CATEGORIES:
        raise DomainError("ORG_CATEGORY_INVALID")
    before = {k: getattr(org, k) for k in changes}
    for key, value in changes.items():
        setattr(org, key, value.strip() if isinstance(value, str) else value)
    if org.status == review_rules.REJECTED:
        org.status = review_rules.transition(org.status, "resubmit")
        org.reject_reason = None
    authz.audit(admin, "organisation.correct", org_id=org.id, target_type="organisation", target_id=org.id,
                detail={"before": before, "after": changes})
    return org


@use_case
def id_photo_file(admin, org_id, upload_dir):
    """The hand-held ID photo, for the reviewing admins only (audited); never a public URL."""
    org = authz.require_child_org(admin, org_id)
    if not org.id_photo_path:
        raise DomainError("NOT_FOUND")
    path = (Path(upload_dir) / org.id_photo_path).resolve()
    if Path(upload_dir).resolve() not in path.parents or not path.is_file():
        raise DomainError("NOT_FOUND")
    authz.audit(admin, "organisation.id_photo_view", org_id=org.id, target_type="organisation", target_id=org.id)
    return path


def search(*, name=None, category=None, region=None, parent_id=None, page=1, per_page=20):
    """Approved organisations by name (part of it), category, region code (prefix) and parent."""
    query = db.select(Organisation).where(Organisation.status == "approved")
    if name:
        query = query.where(Organisation.name.contains(name.strip(), autoescape=True))
    if category:
        query = query.where(Organisation.category == category)
    if region:
        query = query.where(Organisation.region_code.startswith(region.strip(), autoescape=True))
    if parent_id is not None:
        query = query.where(Organisation.parent_id == parent_id)
    total = db.session.execute(query.with_only_columns(db.func.count(Organisation.id))).scalar_one()
    rows = db.session.execute(query.order_by(Organisation.path).limit(per_page)
                              .offset((page - 1) * per_page)).scalars().all()
    return rows, total


def organisation_page(org_id):
    """An organisation's public page: its counts, its subtree's totals and its children."""
    org = approved_org(org_id)
    totals = db.session.execute(
        db.select(db.func.coalesce(db.func.sum(Organisation.volunteer_count), 0),
                  db.func.coalesce(db.func.sum(Organisation.activity_count), 0),
                  db.func.coalesce(db.func.sum(Organisation.total_minutes), 0))
        .where(Organisation.path.startswith(org.path), Organisation.status == "approved")
    ).one()
    children = db.session.execute(
        db.select(Organisation).where(Organisation.parent_id == org.id, Organisation.status == "approved")
        .order_by(Organisation.name)
    ).scalars().all()
    return org, {"volunteer_count": int(totals[0]), "activity_count": int(totals[1]),
                 "total_minutes": int(totals[2])}, children
