"""身份信息校验: a background job asks the public-security checker, behind an interface.

The job moves 请求中 → 校验中, asks the checker, and records 通过 / 不通过; IDs the checker
cannot take (not a Guangdong mainland ID) become 未知 at once. A check with no answer is
looked at again by a job scheduled 24 hours later (RQ's scheduler), which turns it into 未知;
sweep_overdue_checks() (`flask sweep-identity-checks`, run periodically) is the safety net.
不通过 sends the registration to 未通过 with the reason, notified,
so that the volunteer fixes the profile (完善资料).
"""

from datetime import timedelta
from typing import Protocol

from flask import current_app

from app.domain import identity_check as rules
from app.domain import review as review_rules
from app.extensions import db, jobs
from app.models import Volunteer
from app.notify import account_texts
from app.notify.outbox import queue_message
from app.timeutil import utcnow


class IdentityChecker(Protocol):
    def check(self, real_name: str, id_number: str) -> str | None:
        """'passed' when name and number match, 'failed' when they do not, None: no answer yet."""


class LocalIdentityChecker:
    """Deterministic stand-in for development and tests, decided by the 3-digit sequence
    code (positions 15–17) of the ID number: 000 → 不通过, 999 → never answers; else 通过."""

    def check(self, real_name, id_number):
        sequence = id_number[14:17]
        if sequence == "000":
            return "failed"
        if sequence == "999":
            return None
        return "passed"


class NoIdentityChecker:
    """No public-security integration configured: nothing answers, so after 24 hours every
    check is 未知 and the home organisation's admin reviews on the papers alone."""

    def check(self, real_name, id_number):
        return None


# A production integration adds its class here and is chosen with IDENTITY_CHECKER.
CHECKERS = {"local": LocalIdentityChecker, "none": NoIdentityChecker}


def get_checker() -> IdentityChecker:
    name = current_app.config.get("IDENTITY_CHECKER", "local")
    if name not in CHECKERS:
        raise RuntimeError(f"IDENTITY_CHECKER must be one of {', '.join(CHECKERS)}, not {name!r}")
    return CHECKERS[name]()


def request_check(volunteer, now=None):
    """Mark the volunteer's check as 请求中 (caller commits, then enqueues run_identity_check)."""
    if volunteer.identity_check_status != rules.REQUESTED:
        volunteer.identity_check_status = rules.transition(volunteer.identity_check_status, "resubmit")
    volunteer.identity_check_requested_at = now or utcnow()
    volunteer.identity_checked_at = None


def run_identity_check(volunteer_id):
    """The job. Returns the state it left the check in.

    The worker runs many jobs in one app context: end any transaction an earlier job left
    open, or MariaDB's REPEATABLE READ would show this job an old snapshot.
    """
    db.session.rollback()
    try:
        return _run_identity_check(volunteer_id)
    finally:
        db.session.rollback()


def _run_identity_check(volunteer_id):
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.identity_check_status != rules.REQUESTED:
        return volunteer.identity_check_status if volunteer else None
    requested_at = volunteer.identity_check_requested_at
    account = volunteer.account
    if not rules.is_checkable(account.id_type, account.id_number):
        _apply(volunteer, "not_checkable")
        db.session.commit()
        return volunteer.identity_check_status
    # Claim the check: of two jobs for the same request only one proceeds.
    claimed = db.session.execute(
        db.update(Volunteer)
        .where(Volunteer.id == volunteer_id, Volunteer.identity_check_status == rules.REQUESTED)
        .values(identity_check_status=rules.transition(rules.REQUESTED, "start"))
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    answer = get_checker().check(account.real_name or "", account.id_number)
    if answer is None:
        # No answer yet: the worker's scheduler comes back when the 24 hours are up (the
        # periodic sweep is the safety net should that job be lost).
        jobs.queue.enqueue_in(rules.ANSWER_DEADLINE + timedelta(seconds=5), expire_unanswered_check, volunteer_id)
        return rules.VERIFYING
    db.session.refresh(volunteer)
    # A resubmission meanwhile started a new check: this answer is about old data.
    if volunteer.identity_check_status != rules.VERIFYING or volunteer.identity_check_requested_at != requested_at:
        return None
    _apply(volunteer, "answer_passed" if answer == "passed" else "answer_failed")
    db.session.commit()
    return volunteer.identity_check_status


def expire_unanswered_check(volunteer_id, now=None):
    """The scheduled follow-up of one check: still unanswered after 24 hours → 未知."""
    db.session.rollback()
    now = now or utcnow()
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or not rules.is_overdue(
        volunteer.identity_check_status, volunteer.identity_check_requested_at, now
    ):
        return volunteer.identity_check_status if volunteer else None
    _apply(volunteer, "timeout", now)
    db.session.commit()
    return volunteer.identity_check_status


def sweep_overdue_checks(now=None):
    """No answer within 24 h → 未知. Returns how many checks it changed."""
    now = now or utcnow()
    cutoff = now - rules.ANSWER_DEADLINE
    overdue = (
        db.session.execute(
            db.select(Volunteer)
            .where(
                Volunteer.identity_check_status.in_((rules.REQUESTED, rules.VERIFYING)),
                Volunteer.identity_check_requested_at <= cutoff,
            )
            .limit(5000)
        )
        .scalars()
        .all()
    )
    for volunteer in overdue:
        _apply(volunteer, "timeout", now)
    db.session.commit()
    return len(overdue)


def _apply(volunteer, action, now=None):
    volunteer.identity_check_status = rules.transition(volunteer.identity_check_status, action)
    volunteer.identity_checked_at = now or utcnow()
    if volunteer.identity_check_status == rules.FAILED and volunteer.review_status == review_rules.PENDING:
        volunteer.review_status = review_rules.transition(volunteer.review_status, "identity_failed")
        volunteer.review_reason = account_texts.IDENTITY_FAILED_REASON
        volunteer.reviewed_at = volunteer.identity_checked_at
        volunteer.reviewed_by = None
        queue_message(
            kind="review_result",
            account_id=volunteer.account_id,
            dedupe_key=f"identity-failed:{volunteer.id}:{volunteer.identity_checked_at:%Y%m%d%H%M%S%f}",
            fields={
                "name": volunteer.account.real_name,
                "result": "未通过",
                "reason": account_texts.IDENTITY_FAILED_REASON,
            },
            sms_text=account_texts.identity_failed_sms(),
        )
