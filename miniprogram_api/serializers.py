"""Turning models into JSON for the API; personal data masked unless shown to its owner."""
from app.domain import identity_check, review
from app.security import pii
from app.timeutil import to_iso


def review_fields(volunteer):
    """A volunteer profile's home organisation and where its review stands, as every view shows them."""
    return {
        "home_org": {"id": volunteer.home_org_id, "name": volunteer.home_org.name},
        "review_status": volunteer.review_status,
        "review_status_label": review.LABELS[volunteer.review_status],
        "review_reason": volunteer.review_reason,
        "identity_check_status": volunteer.identity_check_status,
        "identity_check_label": identity_check.LABELS[volunteer.identity_check_status],
    }


def account_summary(account, viewer=None):
    """The account as `viewer` may see it. GET /me masks too: screens get photographed."""
    volunteer = account.volunteer
    data = {
        "id": account.id,
        "username": account.username,
        "real_name": account.real_name,
        "gender": account.gender,
        "id_type": account.id_type,
        "id_number": pii.mask_id(account.id_number or ""),
        "phone": pii.mask_phone(account.phone or ""),
        "email": account.email,
        "must_change_password": account.must_change_password,
        "is_platform_admin": account.is_platform_admin,
        "admin_of": [
            {"org_id": link.org_id, "name": link.organisation.name} for link in account.admin_of
        ],
        "volunteer": None,
    }
    if volunteer is not None:
        data["volunteer"] = {
            "id": volunteer.id,
            "volunteer_number": volunteer.volunteer_number,
            **review_fields(volunteer),
            "face_checked": volunteer.face_checked_at is not None,
            "total_minutes": volunteer.total_minutes,
            "created_at": to_iso(volunteer.created_at),
        }
    return data
