"""Publishing, editing and revoking activities (organisation admins), and reading one.

Each use case: plain values in, authorisation through app.services.authz, the rules of
app.domain.activity_rules, one transaction (app.services.unit_of_work.use_case) with its audit row
(and messages, for a revocation).
Times arrive as naive UTC (the adapters convert aware input with app.timeutil.from_aware).
"""
from collections import namedtuple

from sqlalchemy.orm import selectinload

from app.domain import activity_rules as rules
from app.domain import activity_state as st
from app.errors import DomainError
from app.extensions import db
from app.models import Account, Activity, Enrollment, Organisation, Position, Volunteer
from app.notify.outbox import queue_message
from app.notify.templates import display_time, sms_text
from app.services import authz
from app.services.activity_search import search_activities
from app.services.unit_of_work import fresh_transaction, use_case
from app.timeutil import to_iso, utcnow

EDITABLE = ("title", "description", "service_category", "region_code", "address", "latitude", "longitude",
            "radius_m", "require_location", "cover_url", "enroll_start", "enroll_end", "start_at", "end_at",
            "quota", "contact_name", "contact_phone", "is_family")


def message_fields(activity, **extra):
    """The fields every activity message shows (app/notify/templates.py picks its keywords)."""
    fields = {"title": activity.title, "org": activity.organisation.name,
              "start": display_time(to_iso(activity.start_at)), "place": activity.address or ""}
    fields.update(extra)
    return fields



def _validate(values, taken=0, positions=None):
    rules.check_schedule(values["enroll_start"], values["enroll_end"], values["start_at"],
             values["end_at"])
    rules.check_quota(values["quota"], taken)
    rules.check_location(values.get("latitude"), values.get("longitude"))
    rules.check_region(values.get("region_code"))
    if positions:
        rules.check_positions(positions, values["quota"])


@use_case
def publish_activity(actor, org_id, data):
    """A new activity of `org_id`, visible to everyone at once. data: EDITABLE fields + positions.
    org_id None: the one organisation the admin manages (VALIDATION_ERROR when not exactly one)."""
    if org_id is None:
        own = authz.administered_orgs(actor)
        if len(own) != 1:
            raise DomainError("VALIDATION_ERROR", "请指定发布组织 org_id。")
        org_id = own[0].id
    org = authz.require_org(actor, org_id)
    if org.status != "approved":
        raise DomainError("NOT_FOUND")
    positions = data.get("positions") or []
    _validate(data, positions=[(p["name"], p["quota"], 0) for p in positions])
    activity = Activity(org_id=org.id, created_by=actor.id)
    for field in EDITABLE:
        if field in data:
            setattr(activity, field, data[field])
    db.session.add(activity)
    db.session.flush()
    for p in positions:
        db.session.add(Position(activity_id=activity.id, name=p["name"].strip(), quota=p["quota"]))
    # The organisation's statistics move with the change, in the same transaction.
    db.session.execute(db.update(Organisation).where(Organisation.id == org.id)
                       .values(activity_count=Organisation.activity_count + 1))
    authz.audit(actor, "activity.publish", org_id=org.id, target_type="activity", target_id=activity.id,
                detail={"title": activity.title})
    if data.get("require_location") is False:
        _audit_location_choice(actor, activity)
    return activity


def _audit_location_choice(actor, activity):
    """Turning the position requirement off lets a forwarded photo of a code clock in from
    anywhere: who chose what, and when, is kept (on or off)."""
    authz.audit(actor, "activity.require_location", org_id=activity.org_id, target_type="activity",
                target_id=activity.id, detail={"require_location": bool(activity.require_location)})


def managed_activity(actor, activity_id, lock=False):
    """The activity if `actor` may manage its organisation; NOT_FOUND otherwise."""
    query = db.select(Activity).where(Activity.id == activity_id)
    if lock:
        # Reads after the lock must see what the previous holder committed: the transaction
        # starts with the lock (app.services.unit_of_work.fresh_transaction).
        fresh_transaction()
        query = query.with_for_update()
    activity = db.session.execute(query).scalar_one_or_none()
    if activity is None:
        raise DomainError("NOT_FOUND")
    authz.require_org(actor, activity.org_id)
    return activity


@use_case
def update_activity(actor, activity_id, data):
    """Change any published field; not once revoked or ended; the quota never below the places taken."""
    activity = managed_activity(actor, activity_id, lock=True)
    rules.check_editable(st.activity_state(st.times_of(activity), utcnow()))
    values = {field: getattr(activity, field) for field in EDITABLE}
    values.update({k: v for k, v in data.items() if k in EDITABLE})
    new_positions = _plan_positions(activity, data.get("positions"))
    planned = [(p["name"], p["quota"], p["taken"]) for p in new_positions] if new_positions else None
    _validate(values, taken=activity.taken_count, positions=planned)
    changed = sorted(k for k in data if k in EDITABLE and data[k] != getattr(activity, k))
    for field in EDITABLE:
        if field in data:
            setattr(activity, field, data[field])
    if data.get("positions") is not None:
        _apply_positions(activity, new_positions)
        changed.append("positions")
    authz.audit(actor, "activity.update", org_id=activity.org_id, target_type="activity",
                target_id=activity.id, detail={"fields": changed})
    if "require_location" in changed:
        _audit_location_choice(actor, activity)
    return activity


def _plan_positions(activity, wanted):
    """wanted: [{"id"?, "name", "quota"}] → the positions after the edit, with their places taken.

    A position that has ever been chosen in an enrollment cannot be dropped (POSITION_IN_USE).
    """
    if wanted is None:
        return None
    existing = {p.id: p for p in activity.positions}
    plan = []
    for item in wanted:
        if item.get("id") is not None:
            position = existing.get(item["id"])
            if position is None:
                raise DomainError("POSITION_NOT_FOUND")
            plan.append({"id": position.id, "name": item["name"], "quota": item["quota"],
                         "taken": position.taken_count})
        else:
            plan.append({"id": None, "name": item["name"], "quota": item["quota"], "taken": 0})
    kept = {p["id"] for p in plan if p["id"] is not None}
    for position_id in set(existing) - kept:
        used = db.session.execute(
            db.select(Enrollment.id).filter_by(position_id=position_id).limit(1)).first()
        if used is not None:
            raise DomainError("POSITION_IN_USE")
    return plan


def _apply_positions(activity, plan):
    existing = {p.id: p for p in activity.positions}
    kept = set()
    for item in plan:
        if item["id"] is not None:
            position = existing[item["id"]]
            position.name, position.quota = item["name"].strip(), item["quota"]
            kept.add(position.id)
        else:
            db.session.add(Position(activity_id=activity.id, name=item["name"].strip(), quota=item["quota"]))
    for position_id, position in existing.items():
        if position_id not in kept:
            db.session.delete(position)


@use_case
def revoke_activity(actor, activity_id, reason):
    """撤销: final. Everyone holding a place is told; the organisation's count drops."""
    activity = managed_activity(actor, activity_id, lock=True)
    state = st.activity_state(st.times_of(activity), utcnow())
    if state == st.REVOKED:
        raise DomainError("ACTIVITY_REVOKED")
    if state == st.ENDED:
        raise DomainError("ACTIVITY_ENDED")
    activity.revoked_at = utcnow()
    activity.revoke_reason = (reason or "").strip()[:255] or None
    db.session.execute(db.update(Organisation).where(Organisation.id == activity.org_id)
                       .values(activity_count=Organisation.activity_count - 1))
    holders = db.session.execute(
        db.select(Enrollment).where(Enrollment.activity_id == activity.id,
                                    Enrollment.status.in_(rules.HOLDS_A_PLACE))
    ).scalars().all()
    fields = message_fields(activity, reason=activity.revoke_reason or "组织者撤销")
    for enrollment in holders:
        queue_message(kind="activity_revoked", account_id=enrollment.volunteer.account_id, fields=fields,
                      dedupe_key=f"activity_revoked:{activity.id}:{enrollment.volunteer_id}",
                      sms_text=sms_text("activity_revoked", fields),
                      page=f"pages/activity/detail?id={activity.id}")
    authz.audit(actor, "activity.revoke", org_id=activity.org_id, target_type="activity",
                target_id=activity.id, detail={"reason": activity.revoke_reason, "notified": len(holders)})
    return activity


def public_activity(activity_id):
    """Any activity by id, revoked ones included (they show 已撤销); NOT_FOUND when absent."""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise DomainError("ACTIVITY_NOT_FOUND")
    return activity


# An activity's page as a given caller sees it: the contact number in full for the activity's
# admins and its volunteers holding a place; the caller's own enrollment, if any.
ActivityPage = namedtuple("ActivityPage", "activity full_contact my_enrollment")


def activity_page(activity_id, account_id=None):
    """Any activity by id (revoked ones included) as the caller `account_id` (None: anyone) sees it."""
    activity = public_activity(activity_id)
    if account_id is None:
        return ActivityPage(activity, False, None)
    mine = db.session.execute(
        db.select(Enrollment).join(Volunteer, Volunteer.id == Enrollment.volunteer_id)
        .where(Volunteer.account_id == account_id, Enrollment.activity_id == activity.id)
    ).scalar_one_or_none()
    full_contact = mine is not None and mine.status in rules.HOLDS_A_PLACE
    if not full_contact:
        account = db.session.get(Account, account_id)
        full_contact = (account is not None and authz.is_admin(account)
                        and authz.can_manage_org(account, activity.organisation))
    return ActivityPage(activity, full_contact, mine)


def list_managed_activities(actor, *, page=1, per_page=20, include_revoked=True):
    """The activities of every organisation the admin manages, newest start first."""
    authz.require_admin(actor)
    per_page = max(1, min(per_page, 50))
    conditions = [authz.managed_org_filter(actor, Activity.org_id)]
    if not include_revoked:
        conditions.append(Activity.revoked_at.is_(None))
    items = db.session.execute(
        db.select(Activity).where(*conditions).options(selectinload(Activity.organisation))
        .order_by(Activity.start_at.desc(), Activity.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).scalars().all()
    total = db.session.execute(
        db.select(db.func.count()).select_from(Activity).where(*conditions)).scalar_one()
    return items, total


def organisation_activities(org_id, *, now, state=None, page=1, per_page=20):
    """The organisation page's list: its activities, soonest start first (revoked ones hidden)."""
    org = db.session.get(Organisation, org_id)
    if org is None or org.status != "approved":
        raise DomainError("NOT_FOUND")
    return org, search_activities(now=now, page=page, per_page=per_page, state=state, org_id=org.id)
