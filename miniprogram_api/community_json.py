"""JSON shapes of the membership and community area (issue 13)."""
from app.domain import achievements as achievement_rules
from app.domain import complaints as complaint_rules
from app.domain import membership as membership_rules
from app.security import pii
from app.timeutil import to_iso


def membership(row):
    """A membership as the volunteer sees it."""
    return {
        "id": row.id,
        "org": {"id": row.org_id, "name": row.organisation.name},
        "status": row.status,
        "status_label": membership_rules.LABELS[row.status],
        "reason": row.reason,
        "joined_at": to_iso(row.joined_at),
        "requested_at": to_iso(row.created_at),
        "updated_at": to_iso(row.updated_at),
    }


def membership_for_admin(row):
    """A member or request as the organisation's admin sees it (personal numbers masked)."""
    data = membership(row)
    volunteer = row.volunteer
    account = volunteer.account
    data["volunteer"] = {
        "id": volunteer.id,
        "volunteer_number": volunteer.volunteer_number,
        "real_name": account.real_name,
        "phone": pii.mask_phone(account.phone or ""),
        "home_org": {"id": volunteer.home_org_id, "name": volunteer.home_org.name},
    }
    return data


def comment(row):
    """A comment as anyone sees it: the author's name masked."""
    return {
        "id": row.id,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "author": pii.mask_name(row.author.real_name or row.author.username or ""),
        "text": row.text,
        "created_at": to_iso(row.created_at),
    }


def my_comment(row):
    """One of my comments, with whether (and why) it was hidden."""
    data = comment(row)
    data.update({"hidden": row.hidden_at is not None, "hidden_reason": row.hidden_reason,
                 "hidden_at": to_iso(row.hidden_at)})
    return data


def page_of(items, total, query):
    return {"items": items, "total": total, "page": query["page"], "per_page": query["per_page"]}


def shift(row):
    return {
        "id": row.id,
        "activity_id": row.activity_id,
        "starts_at": to_iso(row.starts_at),
        "ends_at": to_iso(row.ends_at),
        "capacity": row.capacity,
        "taken": row.taken_count,
        "places_left": max(0, row.capacity - row.taken_count),
    }


def complaint(row):
    """A complaint as its complainant sees it."""
    return {
        "id": row.id,
        "kind": row.kind,
        "kind_label": complaint_rules.KINDS[row.kind],
        "target_type": row.target_type,
        "target_type_label": complaint_rules.TARGETS[row.target_type],
        "target_id": row.target_id,
        "text": row.text,
        "image_count": len(row.image_paths or []),
        "status": row.status,
        "status_label": complaint_rules.LABELS[row.status],
        "resolution": row.resolution,
        "created_at": to_iso(row.created_at),
        "resolved_at": to_iso(row.resolved_at),
    }


def complaint_for_handler(row):
    data = complaint(row)
    data["complainant"] = pii.mask_name(row.complainant.real_name or row.complainant.username or "")
    data["image_urls"] = [f"/api/v1/admin/complaints/{row.id}/images/{n}"
                          for n in range(1, len(row.image_paths or []) + 1)]
    return data


def training(row, completed_at=None):
    data = {
        "id": row.id,
        "org": {"id": row.org_id, "name": row.organisation.name},
        "title": row.title,
        "description": row.description,
        "held_on": row.held_on.isoformat(),
        "minutes": row.minutes,
    }
    if completed_at is not None:
        data["completed_at"] = to_iso(completed_at)
    return data


def commendation(row):
    return {
        "id": row.id,
        "volunteer_id": row.volunteer_id,
        "org": {"id": row.org_id, "name": row.organisation.name},
        "title": row.title,
        "level": row.level,
        "level_label": achievement_rules.COMMENDATION_LEVELS[row.level],
        "awarded_on": row.awarded_on.isoformat(),
        "issuer": row.issuer,
    }
