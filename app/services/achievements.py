"""培训 and 表彰: an organisation's admin records training sessions and who completed them, and
commendations of its volunteers (registered under it or joined members); volunteers see theirs
(我的培训, 我的表彰); of_volunteer() lists both, and certificate_sections() — registered with the
certificate service (app/services/certificates.py register_section) — prints them on a
service-proof certificate."""
from sqlalchemy.exc import IntegrityError

from app.domain import achievements as rules
from app.errors import DomainError
from app.extensions import db
from app.models import Commendation, Training, TrainingCompletion, Volunteer
from app.services import authz, certificates
from app.services.enrollment import refusal, volunteer_ids
from app.services.memberships import member_volunteer_ids
from app.services.unit_of_work import use_case
from app.timeutil import local_date, utcnow


def _own_volunteers(org_id, ids):
    """Those of `ids` who are the organisation's own: approved, registered under it or joined."""
    volunteers = db.session.execute(
        db.select(Volunteer).where(Volunteer.id.in_(ids), Volunteer.review_status == "approved")
    ).scalars().all()
    members = member_volunteer_ids(org_id, ids)
    return {v.id for v in volunteers if v.home_org_id == org_id or v.id in members}


@use_case
def add_training(admin, org_id, *, title, held_on, minutes=None, description=None):
    org = authz.require_org(admin, org_id)
    rules.check_training(title, held_on, minutes, local_date(utcnow()))
    training = Training(org_id=org.id, title=title.strip(), held_on=held_on, minutes=minutes,
                        description=(description or "").strip() or None, created_by=admin.id)
    db.session.add(training)
    db.session.flush()
    authz.audit(admin, "training.add", org_id=org.id, target_type="training", target_id=training.id)
    return training


def trainings_of(admin, org_id):
    org = authz.require_org(admin, org_id)
    return db.session.execute(
        db.select(Training).where(Training.org_id == org.id).order_by(Training.held_on.desc(), Training.id.desc())
    ).scalars().all()


@use_case
def record_completions(admin, training_id, ids):
    """Who completed the training → {"recorded": [ids], "refused": [{volunteer_id, code, message}]}."""
    ids = volunteer_ids(ids)
    training = db.session.get(Training, training_id)
    if training is None or not authz.can_manage_org(admin, training.organisation):
        raise DomainError("TRAINING_NOT_FOUND")
    own = _own_volunteers(training.org_id, ids)
    done = set(db.session.execute(
        db.select(TrainingCompletion.volunteer_id)
        .where(TrainingCompletion.training_id == training.id, TrainingCompletion.volunteer_id.in_(ids))
    ).scalars())
    recorded, refused = [], []
    for volunteer_id in ids:
        if volunteer_id not in own:
            refused.append(refusal(volunteer_id, "VOLUNTEER_NOT_IN_ORG"))
        elif volunteer_id not in done:
            db.session.add(TrainingCompletion(training_id=training.id, volunteer_id=volunteer_id,
                                              recorded_by=admin.id))
            recorded.append(volunteer_id)
    authz.audit(admin, "training.completions", org_id=training.org_id, target_type="training",
                target_id=training.id, detail={"recorded": recorded})
    try:
        db.session.flush()
    except IntegrityError:  # recorded by another admin at the same moment
        raise DomainError("CONFLICT") from None
    return {"recorded": recorded, "refused": refused}


@use_case
def commend(admin, org_id, volunteer_id, *, title, level, awarded_on, issuer):
    org = authz.require_org(admin, org_id)
    if volunteer_id not in _own_volunteers(org.id, [volunteer_id]):
        raise DomainError("VOLUNTEER_NOT_IN_ORG")
    rules.check_commendation(title, level, awarded_on, issuer, local_date(utcnow()))
    commendation = Commendation(org_id=org.id, volunteer_id=volunteer_id, title=title.strip(), level=level,
                                awarded_on=awarded_on, issuer=issuer.strip(), created_by=admin.id)
    db.session.add(commendation)
    db.session.flush()
    authz.audit(admin, "commendation.add", org_id=org.id, target_type="volunteer", target_id=volunteer_id,
                detail={"title": commendation.title, "level": level})
    return commendation


def of_volunteer(volunteer_id):
    """The volunteer's completed trainings and commendations, newest first — for 我的培训 / 我的表彰
    and for the service-proof certificate → {"trainings": [(Training, completed_at)],
    "commendations": [Commendation]}."""
    trainings = db.session.execute(
        db.select(Training, TrainingCompletion.created_at)
        .join(TrainingCompletion, TrainingCompletion.training_id == Training.id)
        .where(TrainingCompletion.volunteer_id == volunteer_id)
        .order_by(Training.held_on.desc(), Training.id.desc())
    ).all()
    commendations = db.session.execute(
        db.select(Commendation).where(Commendation.volunteer_id == volunteer_id)
        .order_by(Commendation.awarded_on.desc(), Commendation.id.desc())
    ).scalars().all()
    return {"trainings": [tuple(row) for row in trainings], "commendations": commendations}


def mine(account):
    if account.volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    return of_volunteer(account.volunteer.id)


@certificates.register_section
def certificate_sections(volunteer_id, start=None, end=None):
    """The certificate's 培训记录 and 表彰记录 sections for a period (dates, either may be None)."""
    def within(day):
        return (start is None or day >= start) and (end is None or day <= end)

    listed = of_volunteer(volunteer_id)
    trainings = [f"{t.held_on.isoformat()} {t.title}（{t.organisation.name}"
                 + (f"，{t.minutes // 60} 小时 {t.minutes % 60} 分钟" if t.minutes else "") + "）"
                 for t, _completed in listed["trainings"] if within(t.held_on)]
    commendations = [f"{c.awarded_on.isoformat()} {c.title}（{rules.COMMENDATION_LEVELS[c.level]}，{c.issuer}）"
                     for c in listed["commendations"] if within(c.awarded_on)]
    sections = []
    if trainings:
        sections.append({"title": "培训记录", "lines": list(reversed(trainings))})
    if commendations:
        sections.append({"title": "表彰记录", "lines": list(reversed(commendations))})
    return sections
