"""团体报名's pure decision: who of a group may not be enrolled, and whether the group fits."""
import pytest

from app.domain import activity_state as states
from app.domain.activity_rules import RuleViolation
from app.domain.group_enrollment import Member, check_places, refusals


def member(i, own=True, review="approved", pending=0, status=None):
    return Member(volunteer_id=i, own=own, review_status=review, pending_count=pending, enrollment_status=status)


def test_everyone_may_when_all_are_own_approved_and_free():
    assert refusals(states.OPEN, [member(1), member(2, status="cancelled")]) == []


def test_each_refusal_is_named():
    group = [member(1, own=False), member(2, review=None), member(3, review="pending"), member(4, pending=5),
             member(5, status="pending"), member(6, status="removed"), member(7)]
    assert refusals(states.OPEN, group) == [
        (1, "VOLUNTEER_NOT_IN_ORG"), (2, "VOLUNTEER_NOT_IN_ORG"), (3, "VOLUNTEER_NOT_APPROVED"),
        (4, "TOO_MANY_PENDING"), (5, "ALREADY_ENROLLED"), (6, "ENROLLMENT_REMOVED")]


@pytest.mark.parametrize("state", [states.NOT_OPEN, states.CLOSED, states.IN_PROGRESS, states.ENDED, states.REVOKED])
def test_an_activity_not_open_refuses_the_whole_group(state):
    with pytest.raises(RuleViolation) as refused:
        refusals(state, [member(1)])
    assert refused.value.code == "ENROLLMENT_NOT_OPEN"


def test_the_group_fits_or_says_how_many_places_are_left():
    check_places(10, 7, 3)
    with pytest.raises(RuleViolation) as refused:
        check_places(10, 8, 3, "SHIFT_FULL")
    assert (refused.value.code, refused.value.details["places_left"]) == ("SHIFT_FULL", 2)
