"""The membership rules, without the app: limits, the join password, idempotent requests."""
import pytest

from app.domain import membership as m
from app.errors import DomainError


def decide(current=None, holding=0, pending=0, has=False, given=False, ok=False):
    return m.decide_request(current=current, holding=holding, pending=pending, has_join_password=has,
                            password_given=given, password_ok=ok)


def test_without_a_password_the_request_waits():
    assert decide() == ("ask", m.PENDING)
    assert decide(has=True) == ("ask", m.PENDING)


def test_the_right_password_joins_at_once_and_a_wrong_one_is_refused():
    assert decide(has=True, given=True, ok=True) == ("join", m.JOINED)
    with pytest.raises(DomainError) as refused:
        decide(has=True, given=True, ok=False)
    assert refused.value.code == "JOIN_PASSWORD_WRONG"


def test_a_password_given_to_an_organisation_without_one_is_a_plain_request():
    assert decide(has=False, given=True) == ("ask", m.PENDING)


@pytest.mark.parametrize("current", [m.PENDING, m.JOINED])
def test_repeating_a_request_changes_nothing(current):
    assert decide(current=current, holding=20, pending=5) == ("none", current)


def test_a_pending_request_joins_when_the_password_comes():
    assert decide(current=m.PENDING, holding=20, pending=5, has=True, given=True, ok=True) == ("join", m.JOINED)


def test_twenty_memberships_pending_included_at_most():
    assert decide(holding=19, pending=4) == ("ask", m.PENDING)
    for has, given, ok in ((False, False, False), (True, True, True)):
        with pytest.raises(DomainError) as refused:
            decide(holding=20, pending=0, has=has, given=given, ok=ok)
        assert refused.value.code == "MEMBERSHIP_LIMIT"


def test_five_pending_at_most_but_the_password_still_joins():
    with pytest.raises(DomainError) as refused:
        decide(holding=5, pending=5)
    assert refused.value.code == "MEMBERSHIP_PENDING_LIMIT"
    assert decide(holding=5, pending=5, has=True, given=True, ok=True) == ("join", m.JOINED)


@pytest.mark.parametrize("current", [m.REJECTED, m.LEFT, m.REMOVED])
def test_after_a_refusal_leaving_or_removal_one_may_ask_again(current):
    assert decide(current=current) == ("ask", m.PENDING)


@pytest.mark.parametrize(("state", "action"), [
    (m.JOINED, "approve"), (m.REJECTED, "approve"), (m.LEFT, "remove"), (m.PENDING, "remove"),
    (m.REMOVED, "leave"), (m.REJECTED, "leave"),
])
def test_moves_the_table_does_not_have_are_refused(state, action):
    with pytest.raises(DomainError):
        m.transition(state, action)


@pytest.mark.parametrize(("key", "state"), sorted(m.TRANSITIONS.items(), key=str))
def test_every_move_of_the_table_ends_in_a_known_state(key, state):
    assert state in m.LABELS and (key[0] is None or key[0] in m.LABELS)
