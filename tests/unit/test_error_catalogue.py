"""The one error catalogue (codes and Chinese messages), the API's statuses for its codes, and
the domain's refusals, which are DomainErrors carrying their code (nothing translates them)."""
from datetime import date

import pytest

from app.domain import activity_rules, card, review
from app.domain import registration as fields
from app.domain.idcard import validate_mainland_id
from app.errors import MESSAGES, DomainError
from miniprogram_api.errors import STATUS, status_of


def test_every_catalogue_code_has_an_api_status_and_every_status_a_code():
    assert sorted(set(MESSAGES) - set(STATUS)) == []
    assert sorted(set(STATUS) - set(MESSAGES)) == []


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_status_is_an_http_error_and_every_message_chinese(code):
    assert 400 <= status_of(code) <= 599
    assert MESSAGES[code].strip() and any("\u4e00" <= ch <= "\u9fff" for ch in MESSAGES[code])


def test_a_domain_error_knows_its_code_and_message_but_no_http_status():
    refused = DomainError("QUOTA_FULL")
    assert (refused.code, refused.message, refused.details) == ("QUOTA_FULL", "活动报名人数已满。", {})
    assert not hasattr(refused, "status")
    assert DomainError("CONFLICT", "帐号已是该状态。", state="x").message == "帐号已是该状态。"
    with pytest.raises(KeyError):
        DomainError("NO_SUCH_CODE")


@pytest.mark.parametrize("refuse, code", [
    (lambda: activity_rules.check_quota(0), "QUOTA_INVALID"),  # RuleViolation
    (lambda: activity_rules.next_status("removed", "enroll"), "ENROLLMENT_REMOVED"),
    (lambda: review.transition("approved", "approve", refusal="ALREADY_REVIEWED"), "ALREADY_REVIEWED"),
    (lambda: review.transition("approved", "resubmit"), "CONFLICT"),  # IllegalTransition, default refusal
    (lambda: card.next_status("mailed", "approve"), "CARD_ILLEGAL_TRANSITION"),
    (lambda: fields.normalise_phone("12345"), "PHONE_FORMAT"),  # FieldProblem
    (lambda: fields.normalise_id("mainland_id", "440104199002301234"), "ID_BIRTH_DATE"),  # InvalidIdNumber
    (lambda: validate_mainland_id("110105194912310021", today=date(2026, 1, 1)), "ID_CHECK_DIGIT"),
])
def test_every_kind_of_domain_refusal_is_a_domain_error_with_its_code(refuse, code):
    with pytest.raises(DomainError) as refused:
        refuse()
    assert refused.value.code == code
    assert refused.value.message == MESSAGES[code]


def test_a_rule_violations_details_travel_with_it():
    with pytest.raises(DomainError) as refused:
        activity_rules.check_quota(3, taken=5)
    assert (refused.value.code, refused.value.details) == ("QUOTA_BELOW_TAKEN", {"taken": 5})
