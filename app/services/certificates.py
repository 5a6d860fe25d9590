"""志愿服务记录证明: issue a certificate of a volunteer's service, verify one, list mine.

A certificate copies what it covers when it is issued (app/models/certificate.py): the PDF made
from it later says what it said that day. Verification compares the copy with the records as they
are now: once a covered record is revoked or amended, the certificate is superseded
(app/domain/certificates.py status_of) and the volunteer asks for a new one.

Sections beyond service records (training, commendations — issue 13) come from providers
registered with register_section(): each is called at issue with (volunteer_id, start, end) and
returns [{"title": "培训记录", "lines": ["2026-05-01 急救培训（8 学时）", …]}] or []. The lines are
copied into the certificate and printed after the records; a provider that has nothing adds
nothing, so a certificate shows these sections only when they exist.
"""
import secrets

from app.domain import certificates as rules
from app.errors import DomainError
from app.extensions import db
from app.models import (
    Account,
    Activity,
    Certificate,
    CertificateRecord,
    Organisation,
    ServiceRecord,
    TransferredRecord,
    Volunteer,
)
from app.notify.outbox import queue_message
from app.security.pii import mask_id, mask_name
from app.services import certificate_pdf
from app.services.records import format_minutes
from app.services.unit_of_work import use_case
from app.timeutil import local_date, to_iso, utcnow

ISSUER = "i志愿 · 广东志愿者服务平台"
TRANSFER_ORIGIN = "transfer"
_SECTION_PROVIDERS = []


def register_section(provider):
    """Adds a provider of further certificate sections (see the module's docstring)."""
    if provider not in _SECTION_PROVIDERS:
        _SECTION_PROVIDERS.append(provider)
    return provider


def _volunteer_of(account_id):
    volunteer = db.session.execute(db.select(Volunteer).filter_by(account_id=account_id)).scalar_one_or_none()
    if volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    return volunteer


def _in_period(day, start, end):
    return day is not None and (start is None or day >= start) and (end is None or day <= end)


def covered_records(volunteer_id, start, end):
    """The effective local records and the transferred ones of the period, oldest first."""
    local = db.session.execute(
        db.select(ServiceRecord.id, ServiceRecord.minutes, ServiceRecord.service_day, Activity.title,
                  Organisation.name)
        .join(Activity, Activity.id == ServiceRecord.activity_id)
        .join(Organisation, Organisation.id == ServiceRecord.org_id)
        .where(ServiceRecord.volunteer_id == volunteer_id, ServiceRecord.status == "effective",
               ServiceRecord.minutes > 0)
    ).all()
    moved = db.session.execute(
        db.select(TransferredRecord).where(TransferredRecord.volunteer_id == volunteer_id)).scalars().all()
    rows = [{"record_id": r.id, "transferred_record_id": None, "activity_title": r.title, "org_name": r.name,
             "service_day": r.service_day, "minutes": r.minutes, "origin": None}
            for r in local if _in_period(r.service_day, start, end)]
    rows += [{"record_id": None, "transferred_record_id": t.id, "activity_title": t.activity_title,
              "org_name": t.org_name, "service_day": t.service_day, "minutes": t.minutes,
              "origin": f"{t.origin_platform}（{t.origin_region}）"}
             for t in moved if _in_period(t.service_day, start, end)]
    rows.sort(key=lambda r: (r["service_day"], r["record_id"] or 0, r["transferred_record_id"] or 0))
    return rows


@use_case
def issue_certificate(account_id, start=None, end=None, now=None):
    """A new certificate of the volunteer's records in [start, end] (dates, either may be None)."""
    now = now or utcnow()
    today = local_date(now)
    if (start and end and start > end) or (end and end > today) or (start and start > today):
        raise DomainError("PERIOD_INVALID")
    volunteer = _volunteer_of(account_id)
    account = db.session.get(Account, account_id)
    rows = covered_records(volunteer.id, start, end)
    if not rows:
        raise DomainError("CERTIFICATE_NO_RECORDS")
    sections = []
    for provider in _SECTION_PROVIDERS:
        sections.extend(provider(volunteer.id, start, end) or [])
    certificate = Certificate(
        number=rules.new_number(secrets.token_bytes(rules.RANDOM_BYTES)), volunteer_id=volunteer.id,
        holder_name=account.real_name or "", id_number_masked=mask_id(account.id_number or "") or None,
        volunteer_number=volunteer.volunteer_number, period_start=start, period_end=end,
        total_minutes=sum(r["minutes"] for r in rows), record_count=len(rows), sections=sections, issued_at=now)
    db.session.add(certificate)
    db.session.flush()
    db.session.add_all(CertificateRecord(certificate_id=certificate.id, **row) for row in rows)
    queue_message(kind="certificate_issued", account_id=account_id, dedupe_key=f"certificate:{certificate.id}",
                  fields={"number": certificate.number, "hours": format_minutes(certificate.total_minutes),
                          "period": rules.period_label(start, end, local_date(now))},
                  page=f"pages/certificates/index?number={certificate.number}")
    return summary(certificate)


def summary(certificate):
    return {"number": certificate.number, "total_minutes": certificate.total_minutes,
            "total_hours": round(certificate.total_minutes / 60, 1), "record_count": certificate.record_count,
            "period_start": certificate.period_start.isoformat() if certificate.period_start else None,
            "period_end": certificate.period_end.isoformat() if certificate.period_end else None,
            "period": rules.period_label(certificate.period_start, certificate.period_end,
                                         local_date(certificate.issued_at)),
            "issued_at": to_iso(certificate.issued_at)}


def my_certificates(account_id, page=1, per_page=20):
    volunteer = _volunteer_of(account_id)
    query = db.select(Certificate).where(Certificate.volunteer_id == volunteer.id)
    total = db.session.execute(db.select(db.func.count()).select_from(query.subquery())).scalar_one()
    items = db.session.execute(query.order_by(Certificate.issued_at.desc(), Certificate.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return {"total": total, "items": [summary(c) | {"status": _status(c)} for c in items]}


def _find(number):
    normalised = rules.normalise(number)
    certificate = None
    if normalised:
        certificate = db.session.execute(db.select(Certificate).filter_by(number=normalised)).scalar_one_or_none()
    if certificate is None:
        raise DomainError("CERTIFICATE_NOT_FOUND")
    return certificate


def _status(certificate):
    covered = dict(db.session.execute(
        db.select(CertificateRecord.record_id, CertificateRecord.minutes)
        .where(CertificateRecord.certificate_id == certificate.id, CertificateRecord.record_id.is_not(None))).all())
    current = dict(db.session.execute(
        db.select(ServiceRecord.id, ServiceRecord.minutes)
        .where(ServiceRecord.id.in_(list(covered)), ServiceRecord.status == "effective")).all()) if covered else {}
    return rules.status_of(covered, current)


def verify(number):
    """What anyone may learn from a certificate's number: valid or not, masked name, hours,
    period and issue date. CERTIFICATE_NOT_FOUND for a number that is not one of ours."""
    certificate = _find(number)
    status = _status(certificate)
    return summary(certificate) | {
        "valid": status == rules.VALID, "status": status, "status_label": rules.STATUS_LABELS[status],
        "holder_name": mask_name(certificate.holder_name), "issuer": ISSUER}


def certificate_document(account_id, number):
    """Everything the PDF prints, for the certificate's holder only (CERTIFICATE_NOT_FOUND else)."""
    certificate = _find(number)
    volunteer = _volunteer_of(account_id)
    if certificate.volunteer_id != volunteer.id:
        raise DomainError("CERTIFICATE_NOT_FOUND")
    records = db.session.execute(
        db.select(CertificateRecord).where(CertificateRecord.certificate_id == certificate.id)
        .order_by(CertificateRecord.id)).scalars().all()
    return summary(certificate) | {
        "holder_name": certificate.holder_name, "id_number_masked": certificate.id_number_masked or "",
        "volunteer_number": certificate.volunteer_number, "issuer": ISSUER,
        "issued_day": local_date(certificate.issued_at).isoformat(),
        "total_label": format_minutes(certificate.total_minutes), "sections": certificate.sections or [],
        "records": [{"activity_title": r.activity_title, "org_name": r.org_name,
                     "service_day": r.service_day.isoformat() if r.service_day else "",
                     "minutes": r.minutes, "hours": round(r.minutes / 60, 1), "origin": r.origin}
                    for r in records]}


def pdf(account_id, number, verify_url_for):
    """The holder's certificate as PDF bytes; verify_url_for(number) → the public page's URL."""
    doc = certificate_document(account_id, number)
    return doc["number"], certificate_pdf.render(doc, verify_url_for(doc["number"]))
