"""记录转移 / 接续: a volunteer who moves brings their records from another platform region.

Outbound: export_my_records() writes the volunteer's effective records in the documented JSON
format (app/domain/record_transfer.py). Inbound: the volunteer hands such a document in
(request_transfer), naming the receiving organisation (their home organisation unless they say
otherwise); an admin of that organisation approves or rejects it. On approval the records arrive
as TransferredRecord rows marked with their origin and count toward the volunteer's total (and so
the stars) and the receiving organisation's. Approving the same request twice, or two requests
carrying the same records, counts each record once: the second approval finds the request already
approved and adds nothing, and a record already brought in is skipped by its origin key.
"""
from app.domain import record_transfer as document_format
from app.errors import DomainError
from app.extensions import db
from app.models import Account, Activity, Organisation, RecordTransfer, ServiceRecord, TransferredRecord, Volunteer
from app.notify.outbox import queue_message
from app.security.pii import mask_id, mask_name
from app.services import authz
from app.services.records import change_totals, format_minutes
from app.services.unit_of_work import fresh_transaction, use_case
from app.timeutil import to_iso, utcnow

PLATFORM = "i志愿"
REGION = "440000"  # 广东省
STATUS_LABELS = {"pending": "待审核", "approved": "已通过", "rejected": "未通过"}


def _volunteer_of(account_id):
    volunteer = db.session.execute(db.select(Volunteer).filter_by(account_id=account_id)).scalar_one_or_none()
    if volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    return volunteer


def export_my_records(account_id, now=None):
    """The volunteer's effective records as an outbound transfer document."""
    volunteer = _volunteer_of(account_id)
    account = db.session.get(Account, account_id)
    rows = db.session.execute(
        db.select(ServiceRecord.id, ServiceRecord.minutes, ServiceRecord.service_day, Activity.title,
                  Organisation.name)
        .join(Activity, Activity.id == ServiceRecord.activity_id)
        .join(Organisation, Organisation.id == ServiceRecord.org_id)
        .where(ServiceRecord.volunteer_id == volunteer.id, ServiceRecord.status == "effective",
               ServiceRecord.minutes > 0)
        .order_by(ServiceRecord.service_day, ServiceRecord.id)).all()
    return document_format.build(
        platform=PLATFORM, region=REGION, exported_at=to_iso(now or utcnow()),
        volunteer={"name": account.real_name, "id_number_masked": mask_id(account.id_number or ""),
                   "volunteer_number": volunteer.volunteer_number},
        records=[{"id": str(r.id), "activity": r.title, "organisation": r.name,
                  "service_day": r.service_day.isoformat() if r.service_day else None, "minutes": r.minutes}
                 for r in rows])


@use_case
def request_transfer(account_id, document, receiving_org_id=None):
    volunteer = _volunteer_of(account_id)
    account = db.session.get(Account, account_id)
    person, records = document_format.parse(document)
    platform = str(document.get("platform") or "").strip()[:60]
    region = str(document.get("region") or "").strip()[:12]
    if not platform or not region or (platform == PLATFORM and region == REGION):
        raise DomainError("TRANSFER_DOCUMENT_INVALID", fields={"document": ["来源须为其他平台或区域。"]})
    if not document_format.same_person(person.get("id_number_masked"), account.id_number):
        raise DomainError("TRANSFER_NOT_SAME_PERSON")
    org = db.session.get(Organisation, receiving_org_id or volunteer.home_org_id)
    if org is None or org.status != "approved":
        raise DomainError("ORG_NOT_FOUND")
    transfer = RecordTransfer(volunteer_id=volunteer.id, receiving_org_id=org.id, source_platform=platform,
                              source_region=region, document=document, record_count=len(records),
                              total_minutes=sum(r["minutes"] for r in records), status="pending")
    db.session.add(transfer)
    db.session.flush()
    return transfer_json(transfer, org.name)


def transfer_json(transfer, org_name, volunteer_name=None):
    body = {"id": transfer.id, "status": transfer.status, "status_label": STATUS_LABELS[transfer.status],
            "receiving_org_id": transfer.receiving_org_id, "receiving_org_name": org_name,
            "source_platform": transfer.source_platform, "source_region": transfer.source_region,
            "record_count": transfer.record_count, "total_minutes": transfer.total_minutes,
            "reason": transfer.reason, "created_at": to_iso(transfer.created_at),
            "decided_at": to_iso(transfer.decided_at)}
    if volunteer_name is not None:
        body["volunteer_name"] = volunteer_name
    return body


def my_transfers(account_id):
    volunteer = _volunteer_of(account_id)
    rows = db.session.execute(
        db.select(RecordTransfer, Organisation.name)
        .join(Organisation, Organisation.id == RecordTransfer.receiving_org_id)
        .where(RecordTransfer.volunteer_id == volunteer.id).order_by(RecordTransfer.id.desc())).all()
    return [transfer_json(t, name) for t, name in rows]


def list_transfers(admin, status="pending", page=1, per_page=20):
    query = (db.select(RecordTransfer, Organisation.name, Account.real_name)
             .join(Organisation, Organisation.id == RecordTransfer.receiving_org_id)
             .join(Volunteer, Volunteer.id == RecordTransfer.volunteer_id)
             .join(Account, Account.id == Volunteer.account_id)
             .where(authz.managed_org_filter(admin, RecordTransfer.receiving_org_id)))
    if status:
        query = query.where(RecordTransfer.status == status)
    rows = db.session.execute(query.order_by(RecordTransfer.id.desc()).limit(per_page)
                              .offset((page - 1) * per_page)).all()
    return [transfer_json(t, org, mask_name(name or "")) | {"document": t.document} for t, org, name in rows]


@use_case
def decide_transfer(admin, transfer_id, approve, reason=None, now=None):
    """Approve (the records count from now on) or reject (a reason is required). Approving an
    approved request again changes nothing and answers as the first approval did."""
    now = now or utcnow()
    fresh_transaction()
    transfer = db.session.execute(
        db.select(RecordTransfer).filter_by(id=transfer_id).with_for_update()).scalar_one_or_none()
    if transfer is None:
        raise DomainError("TRANSFER_NOT_FOUND")
    org = authz.require_org(admin, transfer.receiving_org_id)
    if transfer.status != "pending":
        if approve and transfer.status == "approved":
            return transfer_json(transfer, org.name) | {"added_minutes": 0}
        raise DomainError("TRANSFER_ALREADY_DECIDED")
    reason = (reason or "").strip() or None
    if not approve and not reason:
        raise DomainError("REASON_REQUIRED")
    added = 0
    if approve:
        _, records = document_format.parse(transfer.document)
        known = set(db.session.execute(
            db.select(TransferredRecord.origin_record_id).where(
                TransferredRecord.volunteer_id == transfer.volunteer_id,
                TransferredRecord.origin_platform == transfer.source_platform)).scalars())
        for record in records:
            if record["id"] in known:
                continue
            db.session.add(TransferredRecord(
                transfer_id=transfer.id, volunteer_id=transfer.volunteer_id, org_id=transfer.receiving_org_id,
                origin_platform=transfer.source_platform, origin_region=transfer.source_region,
                origin_record_id=record["id"], activity_title=record["activity"],
                org_name=record["organisation"] or transfer.source_platform, service_day=record["service_day"],
                minutes=record["minutes"], created_at=now))
            added += record["minutes"]
        db.session.flush()  # the unique origin key refuses a record counted by a concurrent approval
        change_totals(transfer.volunteer_id, transfer.receiving_org_id, added)
    transfer.status = "approved" if approve else "rejected"
    transfer.reason, transfer.decided_by, transfer.decided_at = reason, admin.id, now
    volunteer = db.session.get(Volunteer, transfer.volunteer_id)
    queue_message(kind="record_transfer", account_id=volunteer.account_id, dedupe_key=f"transfer:{transfer.id}",
                  fields={"name": f"{transfer.source_platform}（{transfer.source_region}）",
                          "result": "通过" if approve else "未通过", "hours": format_minutes(added),
                          "reason": reason or "-"})
    authz.audit(admin, "record_transfer.approve" if approve else "record_transfer.reject", org_id=org.id,
                target_type="record_transfer", target_id=transfer.id, detail={"added_minutes": added})
    return transfer_json(transfer, org.name) | {"added_minutes": added}
