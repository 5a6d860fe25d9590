"""报名, 取消, 录用 and 移除 are one use case each: one commit when they succeed, none when they
refuse, and a refusal leaves no place taken."""
import contextlib

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.extensions import db
from app.models import Activity, Enrollment, Organisation, OutboxMessage, Position
from app.services import admissions, enrollment
from app.services.unit_of_work import fresh_transaction, use_case


@contextlib.contextmanager
def counted_commits():
    commits = []

    def count(session):
        commits.append(session)

    event.listen(Session, "after_commit", count)
    try:
        yield commits
    finally:
        event.remove(Session, "after_commit", count)


def committed(model, id_):
    db.session.rollback()  # read what is committed, not what this session holds
    return db.session.get(model, id_)


def test_enroll_commits_once(factories):
    org = factories.org()
    activity = factories.activity(org, quota=2)
    volunteer = factories.volunteer(org)
    with counted_commits() as commits:
        result = enrollment.enroll(volunteer.account_id, activity.id)
    assert len(commits) == 1
    assert result.status == "pending"
    assert committed(Activity, activity.id).taken_count == 1


def test_a_refused_enrollment_commits_nothing_and_takes_no_place(factories):
    org = factories.org()
    activity = factories.activity(org, quota=1)
    factories.enroll(activity, factories.volunteer(org))  # the one place is taken
    volunteer = factories.volunteer(org)
    with counted_commits() as commits, pytest.raises(DomainError) as refused:
        enrollment.enroll(volunteer.account_id, activity.id)
    assert refused.value.code == "QUOTA_FULL"
    assert commits == []
    assert committed(Activity, activity.id).taken_count == 1


def test_a_full_position_gives_the_activitys_place_back(factories):
    org = factories.org()
    activity = factories.activity(org, quota=5)
    position = Position(activity_id=activity.id, name="引导", quota=0)
    db.session.add(position)
    db.session.commit()
    volunteer = factories.volunteer(org)
    with counted_commits() as commits, pytest.raises(DomainError) as refused:
        enrollment.enroll(volunteer.account_id, activity.id, position.id)
    assert refused.value.code == "POSITION_FULL"
    assert commits == []
    assert committed(Activity, activity.id).taken_count == 0


def test_cancel_commits_once_and_frees_the_place(factories):
    org = factories.org()
    activity = factories.activity(org)
    volunteer = factories.volunteer(org)
    enrollment.enroll(volunteer.account_id, activity.id)
    with counted_commits() as commits:
        enrollment.cancel(volunteer.account_id, activity.id)
    assert len(commits) == 1
    assert committed(Activity, activity.id).taken_count == 0


def test_an_admission_commits_once_with_its_notices(factories):
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org)
    volunteers = [factories.volunteer(org) for _ in range(3)]
    for volunteer in volunteers:
        enrollment.enroll(volunteer.account_id, activity.id)
    with counted_commits() as commits:
        result = admissions.admit(admin, activity.id, [v.id for v in volunteers] + [999_999])
    assert len(commits) == 1
    assert result["admitted"] == [v.id for v in volunteers]
    assert [r["code"] for r in result["refused"]] == ["NOT_ENROLLED"]
    db.session.rollback()
    statuses = db.session.execute(db.select(Enrollment.status).filter_by(activity_id=activity.id)).scalars()
    assert set(statuses) == {"admitted"}
    kinds = db.session.execute(db.select(OutboxMessage.kind)).scalars().all()
    assert kinds and set(kinds) == {"admission"}


def test_a_fresh_transaction_inside_an_outer_use_case_keeps_the_outer_work(factories):
    """enroll and the admin's locked decisions start their transaction afresh at the row lock;
    called from inside another use case they join it instead and drop nothing of it."""
    org = factories.org()

    @use_case
    def inner():
        fresh_transaction()

    @use_case
    def outer():
        db.session.get(Organisation, org.id).name = "外层修改"
        db.session.flush()
        inner()

    with counted_commits() as commits:
        outer()
    assert len(commits) == 1
    assert committed(Organisation, org.id).name == "外层修改"
