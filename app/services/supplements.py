"""时长补录: an admin enters minutes when scanning failed, with proof; the parent organisation
approves (the entry becomes a service record) or rejects it with a reason.

Proof files are checked by their content (magic bytes), not by their name or the client's
content type, capped in size and count, and stored under UPLOAD_DIR (outside the web root)
under random names; only the admins concerned can fetch them back.
"""
import os
import secrets
from pathlib import Path

from flask import current_app

from app.domain import uploads as upload_rules
from app.domain.hours import supplement_allowed_minutes
from app.errors import DomainError
from app.extensions import db
from app.models import Activity, Enrollment, Organisation, ServiceRecord, SupplementEntry, Volunteer
from app.services import authz, uploads
from app.services.activities import managed_activity
from app.services.records import add_record
from app.services.unit_of_work import use_case
from app.timeutil import local_date, to_iso, utcnow

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
PROOF_TYPES = ("image/jpeg", "image/png", "application/pdf")


def sniff_proof_type(content: bytes):
    """The proof's real type: a JPEG or PNG that Pillow reads (of a sane size), or a whole PDF."""
    return uploads.content_type_of(content, PROOF_TYPES)


def _upload_root():
    return Path(current_app.config["UPLOAD_DIR"]) / "supplements"


def _store_proofs(files):
    """files: [(original name, bytes)] → the stored descriptions. Nothing stored on refusal."""
    if not files:
        raise DomainError("SUPPLEMENT_PROOF_REQUIRED")
    if len(files) > MAX_FILES:
        raise DomainError("SUPPLEMENT_PROOF_TOO_LARGE")
    checked = []
    for name, content in files:
        if not content:
            raise DomainError("SUPPLEMENT_PROOF_REQUIRED")
        if len(content) > MAX_FILE_BYTES:
            raise DomainError("SUPPLEMENT_PROOF_TOO_LARGE")
        content_type = sniff_proof_type(content)
        if content_type is None:
            raise DomainError("SUPPLEMENT_PROOF_TYPE")
        checked.append((name, content, content_type))
    root = _upload_root()
    root.mkdir(parents=True, exist_ok=True)
    stored = []
    for name, content, content_type in checked:
        relative = f"supplements/{secrets.token_hex(16)}{upload_rules.TYPES[content_type][1]}"
        path = Path(current_app.config["UPLOAD_DIR"]) / relative
        with open(path, "xb") as handle:
            handle.write(content)
        os.chmod(path, 0o600)
        stored.append({"path": relative, "content_type": content_type, "size": len(content),
                       "name": (name or "")[-100:]})
    return stored


def _remove_proofs(stored):
    for item in stored:
        try:
            (Path(current_app.config["UPLOAD_DIR"]) / item["path"]).unlink()
        except FileNotFoundError:
            pass


def _recorded_minutes(volunteer_id, activity_id, include_pending=True):
    recorded = db.session.execute(
        db.select(db.func.coalesce(db.func.sum(ServiceRecord.minutes), 0))
        .filter_by(volunteer_id=volunteer_id, activity_id=activity_id, status="effective")).scalar_one()
    pending = 0
    if include_pending:
        pending = db.session.execute(
            db.select(db.func.coalesce(db.func.sum(SupplementEntry.minutes), 0))
            .filter_by(volunteer_id=volunteer_id, activity_id=activity_id, status="pending")).scalar_one()
    return int(recorded) + int(pending)


def enter_supplement(admin, activity_id, volunteer_id, minutes, note, files, now=None):
    """The activity's admin enters minutes for an admitted, face-checked volunteer.

    The proofs are written to disk before the entry's transaction (_record_entry, the use case)
    and removed when it does not commit, so no file outlives a refused or failed entry.
    """
    now = now or utcnow()
    activity = managed_activity(admin, activity_id)
    if now < activity.start_at:
        raise DomainError("SUPPLEMENT_TOO_EARLY")
    volunteer = db.session.get(Volunteer, volunteer_id)
    admitted = volunteer is not None and db.session.execute(
        db.select(Enrollment.id).filter_by(activity_id=activity.id, volunteer_id=volunteer.id, status="admitted")
    ).first() is not None
    if not admitted:
        raise DomainError("SUPPLEMENT_NOT_ADMITTED")
    if volunteer.face_checked_at is None:
        raise DomainError("SUPPLEMENT_NOT_FACE_CHECKED")
    already = _recorded_minutes(volunteer.id, activity.id)
    if not supplement_allowed_minutes(minutes, activity.start_at, activity.end_at, already):
        raise DomainError("SUPPLEMENT_MINUTES_INVALID")
    stored = _store_proofs(files)
    try:
        entry = _record_entry(admin, activity, volunteer, minutes, note, stored, now)
    except Exception:
        _remove_proofs(stored)
        raise
    return supplement_json(entry, activity)


@use_case
def _record_entry(admin, activity, volunteer, minutes, note, stored, now):
    entry = SupplementEntry(activity_id=activity.id, volunteer_id=volunteer.id, minutes=minutes,
                            note=(note or "").strip()[:255] or None, proof_files=stored,
                            entered_by=admin.id, status="pending", created_at=now)
    db.session.add(entry)
    db.session.flush()
    authz.audit(admin, "supplement.enter", org_id=activity.org_id, target_type="supplement",
                target_id=entry.id, detail={"volunteer_id": volunteer.id, "minutes": minutes})
    return entry


def _require_approver(admin, activity):
    """Only the parent organisation of the activity's organisation decides (platform at the root)."""
    org = db.session.get(Organisation, activity.org_id)
    if org.parent_id is None:
        if not admin.is_platform_admin:
            raise DomainError("NOT_FOUND")
        return
    authz.require_org(admin, org.parent_id)


@use_case
def decide_supplement(admin, entry_id, approve, reason=None, now=None):
    now = now or utcnow()
    entry = db.session.execute(
        db.select(SupplementEntry).filter_by(id=entry_id).with_for_update()).scalar_one_or_none()
    if entry is None:
        raise DomainError("NOT_FOUND")
    activity = db.session.get(Activity, entry.activity_id)
    _require_approver(admin, activity)
    if entry.status != "pending":
        raise DomainError("SUPPLEMENT_ALREADY_DECIDED")
    reason = (reason or "").strip() or None
    if approve:
        already = _recorded_minutes(entry.volunteer_id, activity.id, include_pending=False)
        if not supplement_allowed_minutes(entry.minutes, activity.start_at, activity.end_at, already):
            raise DomainError("SUPPLEMENT_MINUTES_INVALID")
        values = {"status": "approved"}
    else:
        if not reason:
            raise DomainError("REASON_REQUIRED")
        values = {"status": "rejected", "reject_reason": reason[:255]}
    # Conditional: of two admins deciding at once, one wins and the other is told (the row lock
    # above serialises them on MariaDB; SQLite takes no row locks, so the condition decides).
    changed = db.session.execute(
        db.update(SupplementEntry).where(SupplementEntry.id == entry.id, SupplementEntry.status == "pending")
        .values(decided_by=admin.id, decided_at=now, **values)).rowcount
    if changed != 1:
        raise DomainError("SUPPLEMENT_ALREADY_DECIDED")
    db.session.refresh(entry)
    if approve:
        volunteer = db.session.get(Volunteer, entry.volunteer_id)
        add_record(volunteer, activity, entry.minutes, "supplement", now,
                   service_day=local_date(activity.start_at), supplement=entry)
    authz.audit(admin, "supplement.approve" if approve else "supplement.reject", org_id=activity.org_id,
                target_type="supplement", target_id=entry.id, detail={"reason": reason})
    return supplement_json(entry, activity)


def list_supplements(admin, status="pending", page=1, per_page=20):
    """Entries the admin decides (children of its organisations) or entered in its own."""
    decides = authz.managed_org_filter(admin, Organisation.parent_id)
    entered = authz.managed_org_filter(admin, Activity.org_id)
    query = (db.select(SupplementEntry, Activity).join(Activity, Activity.id == SupplementEntry.activity_id)
             .join(Organisation, Organisation.id == Activity.org_id).where(db.or_(decides, entered)))
    if status:
        query = query.where(SupplementEntry.status == status)
    rows = db.session.execute(query.order_by(SupplementEntry.created_at.desc(), SupplementEntry.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return [supplement_json(e, a) for e, a in rows]


def proof_file(admin, entry_id, index):
    """(absolute path, content type) of a proof, for the entering or the approving admins."""
    entry = db.session.get(SupplementEntry, entry_id)
    if entry is None:
        raise DomainError("NOT_FOUND")
    activity = db.session.get(Activity, entry.activity_id)
    try:
        authz.require_org(admin, activity.org_id)
    except DomainError:
        _require_approver(admin, activity)
    if not 0 <= index < len(entry.proof_files or []):
        raise DomainError("NOT_FOUND")
    item = entry.proof_files[index]
    return Path(current_app.config["UPLOAD_DIR"]) / item["path"], item["content_type"]


def supplement_json(entry, activity):
    return {"id": entry.id, "activity_id": entry.activity_id, "activity_title": activity.title,
            "volunteer_id": entry.volunteer_id, "minutes": entry.minutes, "note": entry.note,
            "status": entry.status, "reject_reason": entry.reject_reason,
            "proof_files": [{"index": i, "content_type": f["content_type"], "size": f["size"]}
                            for i, f in enumerate(entry.proof_files or [])],
            "created_at": to_iso(entry.created_at), "decided_at": to_iso(entry.decided_at)}
