"""Activities and enrollments as JSON: a stable state code beside its Chinese label, times in
ISO 8601 with +08:00, personal data masked (the activity's contact number is shown in full
only to the activity's admins and to volunteers holding a place)."""
from marshmallow import ValidationError, fields

from app.domain import activity_rules as rules
from app.domain import activity_state as st
from app.domain.regions import region_name
from app.security import pii
from app.timeutil import from_aware, to_iso

FIRST_YEAR, LAST_YEAR = 2000, 2100


class IsoTime(fields.AwareDateTime):
    """ISO 8601 with its offset, within the years FIRST_YEAR to LAST_YEAR. A '+' that arrived
    unencoded in a query string (a space) is put back; a time without offset is refused rather
    than guessed."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and " " in value.strip()[10:]:
            head, _, tail = value.strip().rpartition(" ")
            if tail[:2].isdigit():
                value = f"{head}+{tail}"
        try:
            aware = super()._deserialize(value, attr, data, **kwargs)
        except ValidationError:
            raise ValidationError("须为带时区的 ISO 8601 时间，例如 2026-11-22T09:30:00+08:00。") from None
        # A sane range, checked before any arithmetic: 0001-01-01+08:00 cannot even become UTC,
        # and 9999-12-31 would overflow when shown in Shanghai time.
        if not FIRST_YEAR <= aware.year <= LAST_YEAR:
            raise ValidationError(f"时间须在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间。")
        return from_aware(aware)


def _positions(activity):
    return [{"id": p.id, "name": p.name, "quota": p.quota, "taken_count": p.taken_count,
             "remaining": max(0, p.quota - p.taken_count)} for p in activity.positions]


def activity_summary(activity, now):
    state = st.activity_state(st.times_of(activity), now)
    return {
        "id": activity.id,
        "title": activity.title,
        "service_category": activity.service_category,
        "region_code": activity.region_code,
        "region_name": region_name(activity.region_code) if activity.region_code else None,
        "address": activity.address,
        "cover_url": activity.cover_url,
        "organisation": {"id": activity.org_id, "name": activity.organisation.name},
        "enroll_start": to_iso(activity.enroll_start),
        "enroll_end": to_iso(activity.enroll_end),
        "start_at": to_iso(activity.start_at),
        "end_at": to_iso(activity.end_at),
        "quota": activity.quota,
        "taken_count": activity.taken_count,
        "remaining": max(0, activity.quota - activity.taken_count),
        "is_family": activity.is_family,
        "state": state,
        "state_label": st.label(state),
    }


def activity_detail(activity, now, full_contact=False):
    data = activity_summary(activity, now)
    phone = activity.contact_phone or ""
    data.update({
        "description": activity.description,
        "latitude": activity.latitude,
        "longitude": activity.longitude,
        "radius_m": activity.radius_m,
        "require_location": activity.require_location,
        "contact_name": activity.contact_name,
        "contact_phone": phone if full_contact else pii.mask_phone(phone),
        "positions": _positions(activity),
        "revoked_at": to_iso(activity.revoked_at),
        "revoke_reason": activity.revoke_reason,
    })
    return data


def enrollment_json(enrollment):
    return {
        "id": enrollment.id,
        "activity_id": enrollment.activity_id,
        "position_id": enrollment.position_id,
        "shift_id": enrollment.shift_id,
        "status": enrollment.status,
        "status_label": rules.ENROLLMENT_LABELS[enrollment.status],
        "created_at": to_iso(enrollment.created_at),
        "decided_at": to_iso(enrollment.decided_at),
    }


def volunteer_brief(volunteer, account):
    """A volunteer as an admin sees them in a roster or a search: masked, enough to choose."""
    return {
        "id": volunteer.id,
        "volunteer_number": volunteer.volunteer_number,
        "real_name": pii.mask_name(account.real_name or ""),
        "gender": account.gender,
        "phone": pii.mask_phone(account.phone or ""),
        "face_checked": volunteer.face_checked_at is not None,
    }


def page_json(items, total, page, per_page):
    return {"items": items, "total": total, "page": page, "per_page": per_page}
