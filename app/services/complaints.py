"""投诉 / 举报: a logged-in person files one against an organisation, an activity or a volunteer,
or about an hours record, with text and up to three images; the organisation directly above the
target (app/domain/complaints.py) — or an admin above it with regional authority, or the
platform admin — resolves it with a resolution, and the complainant is told and sees the state.
Another organisation's admin sees none of it."""
from pathlib import Path

from app.domain import complaints as rules
from app.errors import DomainError
from app.extensions import db
from app.models import Activity, Complaint, Organisation, ServiceRecord, Volunteer
from app.notify.outbox import queue_message
from app.services import authz, community_limits, images
from app.services.unit_of_work import use_case
from app.timeutil import utcnow

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_SIDE = 1600


def handler_org_id(target_type, target_id):
    """The organisation that handles a complaint about the target (None: the platform admin)."""
    if target_type == "organisation":
        org = db.session.get(Organisation, target_id)
        if org is None or org.status != "approved":
            raise DomainError("COMPLAINT_TARGET_NOT_FOUND")
        return org.parent_id
    if target_type == "activity":
        activity = db.session.get(Activity, target_id)
        if activity is None:
            raise DomainError("COMPLAINT_TARGET_NOT_FOUND")
        return activity.org_id
    if target_type == "volunteer":
        volunteer = db.session.get(Volunteer, target_id)
        if volunteer is None:
            raise DomainError("COMPLAINT_TARGET_NOT_FOUND")
        return volunteer.home_org_id
    record = db.session.get(ServiceRecord, target_id)
    if record is None:
        raise DomainError("COMPLAINT_TARGET_NOT_FOUND")
    return record.org_id


def file_complaint(account, *, kind, target_type, target_id, text, image_streams, upload_dir):
    """→ the new Complaint. Images are written before the row and removed again when it does not
    commit, so no file is left that no row names."""
    written = []
    try:
        return _file(account, kind, target_type, target_id, text, image_streams, upload_dir, written)
    except BaseException:
        for relative in written:
            (Path(upload_dir) / relative).unlink(missing_ok=True)
        raise


@use_case
def _file(account, kind, target_type, target_id, text, image_streams, upload_dir, written):
    if kind not in rules.KINDS or target_type not in rules.TARGETS:
        raise DomainError("VALIDATION_ERROR")
    text = rules.check_text(text)
    handler = handler_org_id(target_type, target_id)
    if len(image_streams) > rules.MAX_IMAGES:
        raise DomainError("COMPLAINT_IMAGE_TOO_LARGE")
    pictures = [images.read_image(stream, max_bytes=IMAGE_MAX_BYTES, type_code="COMPLAINT_IMAGE_TYPE",
                                  size_code="COMPLAINT_IMAGE_TOO_LARGE") for stream in image_streams]
    for item in community_limits.COMPLAINTS:
        community_limits.refuse_when_spent(item, "COMPLAINT_RATE_LIMITED", "complaint", account.id)
    for item in community_limits.COMPLAINTS:
        community_limits.count(item, "complaint", account.id)
    for data in pictures:
        written.append(images.store_resized(data, upload_dir, "complaints", max_side=IMAGE_SIDE))
    complaint = Complaint(kind=kind, target_type=target_type, target_id=target_id, handler_org_id=handler,
                          complainant_account_id=account.id, text=text, image_paths=list(written),
                          status=rules.PENDING, created_at=utcnow())
    db.session.add(complaint)
    db.session.flush()
    return complaint


def mine(account):
    return db.session.execute(
        db.select(Complaint).where(Complaint.complainant_account_id == account.id).order_by(Complaint.id.desc())
    ).scalars().all()


def _handler_filter(admin):
    if admin.is_platform_admin:
        return db.true()
    return authz.managed_org_filter(admin, Complaint.handler_org_id)


def for_handler(admin, status=None, page=1, per_page=20):
    """The complaints this admin handles (their organisations', or below them with authority)."""
    query = db.select(Complaint).where(_handler_filter(admin))
    if status:
        query = query.where(Complaint.status == status)
    total = db.session.execute(db.select(db.func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(Complaint.id.desc()).limit(per_page)
                              .offset((page - 1) * per_page)).scalars().all()
    return rows, total


def _handled(admin, complaint_id):
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise DomainError("COMPLAINT_NOT_FOUND")
    if admin.is_platform_admin:
        return complaint
    handler = db.session.get(Organisation, complaint.handler_org_id) if complaint.handler_org_id else None
    if handler is None or not authz.can_manage_org(admin, handler):
        raise DomainError("COMPLAINT_NOT_FOUND")  # another organisation's: as if it did not exist
    return complaint


@use_case
def resolve(admin, complaint_id, resolution):
    """处理: the resolution is kept, audited and sent to the complainant."""
    complaint = _handled(admin, complaint_id)
    resolution = rules.check_text(resolution, rules.MAX_RESOLUTION)
    status = rules.resolve(complaint.status)
    now = utcnow()
    claimed = db.session.execute(
        db.update(Complaint).where(Complaint.id == complaint.id, Complaint.status == rules.PENDING)
        .values(status=status, resolution=resolution, resolved_by=admin.id, resolved_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise DomainError("COMPLAINT_ALREADY_RESOLVED")
    db.session.refresh(complaint)
    authz.audit(admin, "complaint.resolve", org_id=complaint.handler_org_id, target_type="complaint",
                target_id=complaint.id, detail={"resolution": resolution})
    queue_message(kind="review_result", account_id=complaint.complainant_account_id,
                  dedupe_key=f"complaint:{complaint.id}:resolved",
                  fields={"name": complaint.complainant.real_name or complaint.complainant.username,
                          "result": f"您的{rules.KINDS[complaint.kind]}已处理", "reason": resolution})
    return complaint


def image_file(admin, complaint_id, number, upload_dir):
    """One of the complaint's images, to its handlers only."""
    complaint = _handled(admin, complaint_id)
    paths = complaint.image_paths or []
    if not 1 <= number <= len(paths):
        raise DomainError("NOT_FOUND")
    path = images.stored_file(upload_dir, paths[number - 1])
    if path is None:
        raise DomainError("NOT_FOUND")
    return path
