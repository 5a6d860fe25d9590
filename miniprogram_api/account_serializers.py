"""JSON shapes of the accounts and organisations area. Personal numbers are masked except in
owner_profile(), which only GET /api/v1/me/profile uses for the account itself."""
from app.domain import review
from app.domain.registration import ID_TYPE_LABELS
from app.security import pii
from app.services.organisations import ORG_CATEGORY_LABELS
from app.services.volunteer_review import may_review
from app.timeutil import to_iso
from miniprogram_api.serializers import account_summary, review_fields


def volunteer_for_admin(volunteer):
    account = volunteer.account
    return {
        "id": volunteer.id,
        "account_id": account.id,
        "volunteer_number": volunteer.volunteer_number,
        "account_status": account.status,
        "real_name": account.real_name,
        "gender": account.gender,
        "id_type": account.id_type,
        "id_number": pii.mask_id(account.id_number or ""),
        "phone": pii.mask_phone(account.phone or ""),
        **review_fields(volunteer),
        "may_review": may_review(volunteer),
        "education": volunteer.education,
        "service_intentions": volunteer.service_intentions or [],
        "face_checked": volunteer.face_checked_at is not None,
        "created_at": to_iso(volunteer.created_at),
        "reviewed_at": to_iso(volunteer.reviewed_at),
    }


def owner_profile(account):
    """The person's own data in full: shown only to themself (the summary, unmasked, and more)."""
    data = account_summary(account)
    data.update({
        "id_type_label": ID_TYPE_LABELS.get(account.id_type),
        "id_number": account.id_number,
        "phone": account.phone,
    })
    volunteer = account.volunteer
    if volunteer is not None:
        data["volunteer"].update({
            "pending_home_org_id": volunteer.pending_home_org_id,
            "education": volunteer.education,
            "service_intentions": volunteer.service_intentions or [],
            "agreed_at": to_iso(volunteer.agreed_at),
        })
    return data


def organisation_public(org):
    return {
        "id": org.id,
        "name": org.name,
        "category": org.category,
        "category_label": ORG_CATEGORY_LABELS.get(org.category),
        "parent_id": org.parent_id,
        "region_code": org.region_code,
        "is_legal_person": org.is_legal_person,
        "description": org.description,
        "contact_name": org.contact_name,
        "address": org.address,
        "service_categories": org.service_categories or [],
        "logo_url": f"/api/v1/organisations/{org.id}/logo" if org.logo_path else None,
        "volunteer_count": org.volunteer_count,
        "activity_count": org.activity_count,
        "total_minutes": org.total_minutes,
    }


def organisation_for_reviewer(org, admins):
    data = organisation_public(org)
    data.update({
        "status": org.status,
        "status_label": review.LABELS.get(org.status),
        "reject_reason": org.reject_reason,
        "contact_phone": pii.mask_phone(pii.decrypt(org.contact_phone_enc)) if org.contact_phone_enc else None,
        "has_id_photo": bool(org.id_photo_path),
        "created_at": to_iso(org.created_at),
        "reviewed_at": to_iso(org.reviewed_at),
        "admins": [{"account_id": a.id, "username": a.username, "real_name": a.real_name,
                    "id_number": pii.mask_id(a.id_number or ""), "phone": pii.mask_phone(a.phone or "")}
                   for a in admins],
    })
    return data


def home_org_change(change):
    return {"id": change.id, "volunteer_id": change.volunteer_id, "from_org_id": change.from_org_id,
            "to_org_id": change.to_org_id, "status": change.status, "reason": change.reason,
            "created_at": to_iso(change.created_at), "decided_at": to_iso(change.decided_at)}
