"""注册志愿者证: the application, its progress, and the card's public volunteer QR code.

The QR code on the card is a link to a public H5 page signed with the code key
(app/domain/codes.py make_card_token): it shows the masked name, the volunteer number, the
hours and the star level — what is safe to show a stranger, nothing more.
"""
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.domain import card as rules
from app.domain import codes
from app.errors import DomainError
from app.extensions import db
from app.models import Account, CardApplication, Volunteer
from app.security import pii
from app.services import authz
from app.services.clock_codes import clock_key
from app.services.records import totals_of
from app.services.unit_of_work import use_case
from app.timeutil import to_iso


@use_case
def apply(account, bank, card_type, delivery_name, delivery_phone, delivery_address):
    volunteer = account.volunteer
    if volunteer is None or volunteer.review_status != "approved":
        raise DomainError("CARD_NOT_ELIGIBLE")
    active = db.session.execute(
        db.select(CardApplication.id).where(CardApplication.active_volunteer_id == volunteer.id)).first()
    if active is not None:
        raise DomainError("CARD_APPLICATION_EXISTS")
    application = CardApplication(volunteer_id=volunteer.id, bank=bank, card_type=card_type,
                                  delivery_name=delivery_name.strip(),
                                  delivery_phone_enc=pii.encrypt(pii.normalise("phone", delivery_phone)),
                                  delivery_address=delivery_address.strip(), status="submitted",
                                  active_volunteer_id=volunteer.id)
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError:
        # Two applications at once (a double tap): the unique key let the first in; no row lock
        # is taken before the insert (on MariaDB two gap locks would deadlock instead).
        raise DomainError("CARD_APPLICATION_EXISTS") from None
    db.session.refresh(application)  # its id and timestamps as the database keeps them, for the answer
    return application_json(application, owner=True)


def my_applications(account):
    volunteer = account.volunteer
    if volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    rows = db.session.execute(db.select(CardApplication).filter_by(volunteer_id=volunteer.id)
                              .order_by(CardApplication.id.desc())).scalars().all()
    return [application_json(a, owner=True) for a in rows]


@use_case
def advance(admin, application_id, action, note=None):
    """The volunteer's home organisation moves the application on (review, approve, issue, mail…)."""
    application = db.session.get(CardApplication, application_id)
    if application is None:
        raise DomainError("NOT_FOUND")
    volunteer = db.session.get(Volunteer, application.volunteer_id)
    authz.require_org(admin, volunteer.home_org_id)
    new_status = rules.next_status(application.status, action)
    if new_status == "rejected" and not (note or "").strip():
        raise DomainError("REASON_REQUIRED")
    old = application.status
    changed = db.session.execute(
        db.update(CardApplication).where(CardApplication.id == application.id, CardApplication.status == old)
        .values(status=new_status, status_note=(note or "").strip()[:255] or None,
                active_volunteer_id=None if new_status not in rules.ACTIVE_STATUSES else application.volunteer_id)
    ).rowcount
    if changed != 1:  # another admin moved it meanwhile
        raise DomainError("CARD_ILLEGAL_TRANSITION")
    authz.audit(admin, f"card.{action}", org_id=volunteer.home_org_id, target_type="card_application",
                target_id=application.id, detail={"from": old, "to": new_status})
    db.session.refresh(application)
    return application_json(application, owner=False)


def application_json(application, owner):
    phone = pii.decrypt(application.delivery_phone_enc)
    return {"id": application.id, "bank": application.bank,
            "bank_label": rules.BANK_LABELS[application.bank], "card_type": application.card_type,
            "card_type_label": rules.CARD_TYPE_LABELS[application.card_type],
            "delivery_name": application.delivery_name if owner else pii.mask_name(application.delivery_name),
            "delivery_phone": pii.mask_phone(phone),
            "delivery_address": application.delivery_address if owner else None,
            "status": application.status, "status_label": rules.STATUS_LABELS[application.status],
            "status_note": application.status_note, "created_at": to_iso(application.created_at),
            "updated_at": to_iso(application.updated_at)}


def card_link(account):
    """The signed public link that the card's volunteer QR code carries."""
    volunteer = account.volunteer
    if volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    token = codes.make_card_token(clock_key(), volunteer.id)
    return {"token": token, "url": f"{current_app.config['PUBLIC_BASE_URL']}/h5/card/{token}"}


def public_card(token):
    """What a stranger scanning the card sees. CARD_NOT_FOUND, the same for every case, when the
    token is not genuine or its volunteer is not (or no longer) an approved, active one."""
    volunteer_id = codes.read_card_token(clock_key(), token)
    if volunteer_id is None:
        raise DomainError("CARD_NOT_FOUND")
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.review_status != "approved":
        raise DomainError("CARD_NOT_FOUND")
    account = db.session.get(Account, volunteer.account_id)
    if account is None or account.status != "active":
        raise DomainError("CARD_NOT_FOUND")
    totals = totals_of(volunteer)
    return {"name": pii.mask_name(account.real_name or ""), "volunteer_number": volunteer.volunteer_number,
            "total_minutes": totals["total_minutes"], "total_hours": totals["total_hours"],
            "star_level": totals["star_level"], "star_label": totals["star_label"]}
