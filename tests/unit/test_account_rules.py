"""Pure rules of the accounts area: the identity check and review tables, field rules, photo types."""
from datetime import datetime, timedelta

import pytest

from app.domain import identity_check as check
from app.domain import registration as fields
from app.domain import review
from app.domain.id_photo import sniff_image_type
from app.domain.transitions import IllegalTransition
from app.errors import DomainError

CHECK_STATES = ("requested", "verifying", "passed", "failed", "unknown")
CHECK_ACTIONS = ("start", "not_checkable", "timeout", "answer_passed", "answer_failed", "resubmit")


@pytest.mark.parametrize("state", CHECK_STATES)
@pytest.mark.parametrize("action", CHECK_ACTIONS)
def test_identity_check_table_is_total_and_raises_on_illegal_moves(state, action):
    if (state, action) in check.TRANSITIONS:
        assert check.transition(state, action) in CHECK_STATES
    else:
        with pytest.raises(IllegalTransition):
            check.transition(state, action)


def test_identity_check_paths():
    assert check.transition("requested", "start") == "verifying"
    assert check.transition("verifying", "answer_passed") == "passed"
    assert check.transition("verifying", "answer_failed") == "failed"
    assert check.transition("verifying", "timeout") == "unknown"
    assert check.transition("requested", "not_checkable") == "unknown"
    with pytest.raises(IllegalTransition):
        check.transition("passed", "answer_failed")  # a late answer cannot overturn a result
    with pytest.raises(IllegalTransition):
        check.transition("unknown", "answer_passed")


@pytest.mark.parametrize("state,allowed", [("requested", False), ("verifying", False), ("failed", False),
                                           ("passed", True), ("unknown", True)])
def test_review_only_while_passed_or_unknown(state, allowed):
    assert check.may_review(state) is allowed


@pytest.mark.parametrize("id_type,number,checkable", [
    ("mainland_id", "440104199001011234", True),
    ("mainland_id", "110101199001011234", False),
    ("hk_macao_permit", "H12345678", False),
    ("passport", "E12345678", False),
])
def test_only_guangdong_mainland_ids_are_checked(id_type, number, checkable):
    assert check.is_checkable(id_type, number) is checkable


def test_overdue_after_24_hours():
    asked = datetime(2026, 1, 1, 8, 0)
    assert not check.is_overdue("verifying", asked, asked + timedelta(hours=23, minutes=59))
    assert check.is_overdue("verifying", asked, asked + timedelta(hours=24))
    assert check.is_overdue("requested", asked, asked + timedelta(hours=30))
    assert not check.is_overdue("passed", asked, asked + timedelta(days=3))


@pytest.mark.parametrize("state", ("pending", "approved", "rejected"))
@pytest.mark.parametrize("action", ("approve", "reject", "identity_failed", "resubmit"))
def test_review_table(state, action):
    expected = {("pending", "approve"): "approved", ("pending", "reject"): "rejected",
                ("pending", "identity_failed"): "rejected", ("rejected", "resubmit"): "pending"}
    if (state, action) in expected:
        assert review.transition(state, action) == expected[(state, action)]
    else:
        with pytest.raises(IllegalTransition):
            review.transition(state, action)


@pytest.mark.parametrize("approve,reason,problem", [(True, None, None), (False, None, "REASON_REQUIRED"),
                                                    (False, "   ", "REASON_REQUIRED"), (False, "资料不全", None)])
def test_a_rejection_needs_a_reason(approve, reason, problem):
    assert review.decision_problem(approve, reason) == problem


@pytest.mark.parametrize("value,expected", [("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"),
                                            ("12800138000", "PHONE_FORMAT"), ("1380013800", "PHONE_FORMAT"),
                                            ("", "PHONE_FORMAT")])
def test_phone_rule(value, expected):
    try:
        assert fields.normalise_phone(value) == expected
    except fields.FieldProblem as exc:
        assert exc.code == expected


@pytest.mark.parametrize("value,ok", [("xiaoming", True), ("li_2024", True), ("ab1", False), ("123456", False),
                                      ("13800138000", False), ("小明", False), ("a" * 33, False)])
def test_username_cannot_look_like_another_identifier(value, ok):
    if ok:
        assert fields.check_username(value) == value
    else:
        with pytest.raises(fields.FieldProblem):
            fields.check_username(value)


@pytest.mark.parametrize("id_type,value,expected", [
    ("mainland_id", "44010419900101123x", None),  # normalised, if valid
    ("hk_macao_permit", " h1234 5678 ", "H12345678"),
    ("passport", "E1", "ID_FORMAT"),
    ("driving_licence", "123456", "ID_TYPE_INVALID"),
])
def test_id_rules(id_type, value, expected):
    try:
        result = fields.normalise_id(id_type, value)
    except DomainError as exc:  # FieldProblem, or InvalidIdNumber for a mainland ID
        result = exc.code
    if expected is not None:
        assert result == expected
    else:
        assert result in ("ID_CHECK_DIGIT",) or result == value.upper()


@pytest.mark.parametrize("head,kind", [(b"\xff\xd8\xff\xe0abc", "jpeg"), (b"\x89PNG\r\n\x1a\nxxxx", "png"),
                                       (b"GIF89a", None), (b"<?php", None), (b"", None)])
def test_photo_type_by_content(head, kind):
    assert sniff_image_type(head) == kind


def test_the_local_identity_checker_is_never_the_production_default():
    from app.config import load_config
    from tests.unit.test_config import PRODUCTION

    assert load_config(env={})["IDENTITY_CHECKER"] == "local"
    assert load_config(env=PRODUCTION)["IDENTITY_CHECKER"] == "none"
    assert load_config(env={})["VERIFICATION_CODE_SECONDS"] == 300


# --- the login captcha's sum ---

def test_a_captcha_sum_and_the_answers_it_takes():
    from app.domain.captcha import answer_matches, make_challenge

    assert make_challenge(7, 5, False) == make_challenge(7, 5, False)
    plus, minus = make_challenge(7, 5, False), make_challenge(5, 7, True)
    assert (plus.text, plus.answer) == ("7 + 5 = ?", "12")
    assert (minus.text, minus.answer) == ("7 - 5 = ?", "2")  # never below zero
    assert make_challenge(9, 9, True).answer == "0"
    assert answer_matches("12", " 12 ") and answer_matches("12", "１２") and answer_matches("12", 12)
    assert answer_matches("0", "0") and not answer_matches("12", "13")
    assert not answer_matches("12", "") and not answer_matches("12", None) and not answer_matches("12", "1 2")


# --- uploads ---

def test_an_upload_is_judged_by_its_content_and_a_picture_by_the_size_it_claims():
    from app.domain import uploads

    assert uploads.sniff(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert uploads.sniff(b"%PDF-1.7 ...", ("image/png", "image/jpeg")) is None
    assert uploads.picture_size_acceptable(4000, 3000) and uploads.picture_size_acceptable(12_000, 4_000)
    assert not uploads.picture_size_acceptable(12_001, 10) and not uploads.picture_size_acceptable(0, 10)
    assert not uploads.picture_size_acceptable(9_000, 9_000)  # 81 megapixels: no phone's photo
    assert uploads.looks_like_pdf(b"%PDF-1.4\n...\n%%EOF\n")
    assert not uploads.looks_like_pdf(b"%PDF-1.4\n<script>alert(1)</script>")
