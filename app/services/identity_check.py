"""身份信息校验: a background job asks the real-name checker, behind an interface.

The job moves 请求中 → 校验中, asks the checker, and records 通过 / 不通过; IDs the checker
cannot take (not a Guangdong mainland ID) become 未知 at once. A check with no answer is
looked at again by a job scheduled 24 hours later (RQ's scheduler), which turns it into 未知;
sweep_overdue_checks() (`flask sweep-identity-checks`, run periodically) is the safety net.
不通过 sends the registration to 未通过 with the reason, notified,
so that the volunteer fixes the profile (完善资料).

Checkers (IDENTITY_CHECKER): "http" asks a real-name verification service over HTTPS (below);
"none" has nobody to ask (every check 未知 after 24 h); "local" passes almost everyone and is
refused in production. A service that is down, slow or refusing is asked again with backoff
until the 24 hours are up; the job's only argument is the volunteer's id.
"""
import hashlib
import hmac
import json
import logging
import secrets
import time
from datetime import timedelta
from typing import Protocol

import requests
from flask import current_app

from app.domain import identity_check as rules
from app.domain import review as review_rules
from app.extensions import db, jobs
from app.models import Volunteer
from app.notify import account_texts
from app.notify.outbox import queue_message
from app.services.unit_of_work import use_case
from app.timeutil import utcnow

log = logging.getLogger(__name__)

# Asked again after 1, 2, 4 … minutes, at most an hour apart, while the 24 hours last.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600


class IdentityServiceUnavailable(Exception):
    """The checker could not answer now (network, timeout, 429, 5xx, a refused signature)."""


class IdentityChecker(Protocol):
    def check(self, real_name: str, id_number: str) -> str | None:
        """'passed' when name and number match, 'failed' when they do not, None: no answer
        (the registry does not know); raises IdentityServiceUnavailable to be asked again."""


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
    """No real-name integration configured: nothing answers, so after 24 hours every
    check is 未知 and the home organisation's admin reviews on the papers alone."""

    def check(self, real_name, id_number):
        return None


class HttpIdentityChecker:
    """A real-name verification service (二要素: name + ID number) over HTTPS.

    POST IDENTITY_API_URL with {"name", "id_number"}, signed: X-Api-Key, X-Timestamp, X-Nonce
    and X-Signature = hex HMAC-SHA256(IDENTITY_API_SECRET, "timestamp\nnonce\nsha256(body)").
    The answer {"code": 0, "result": "match" | "mismatch" | "unknown"}; any other status, a
    timeout (IDENTITY_TIMEOUT_SECONDS) or a network error means: ask again later.
    """

    RESULTS = {"match": "passed", "mismatch": "failed", "unknown": None}

    def __init__(self, config):
        self.url = config["IDENTITY_API_URL"]
        self.key = config["IDENTITY_API_KEY"]
        self.secret = config["IDENTITY_API_SECRET"].encode()
        self.timeout = config["IDENTITY_TIMEOUT_SECONDS"]

    def check(self, real_name, id_number):
        body = json.dumps({"name": real_name, "id_number": id_number}, ensure_ascii=False).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        signature = hmac.new(self.secret, f"{timestamp}\n{nonce}\n{hashlib.sha256(body).hexdigest()}".encode(),
                             hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Api-Key": self.key,
                   "X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": signature}
        try:
            response = requests.post(self.url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise IdentityServiceUnavailable(type(exc).__name__) from None
        if response.status_code != 200:
            raise IdentityServiceUnavailable(f"HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise IdentityServiceUnavailable("an answer that is not JSON") from None
        if answer.get("code") != 0 or answer.get("result") not in self.RESULTS:
            raise IdentityServiceUnavailable(f"answer code {answer.get('code')!r}")
        return self.RESULTS[answer["result"]]


# Chosen with IDENTITY_CHECKER.
CHECKERS = {"local": LocalIdentityChecker, "none": NoIdentityChecker, "http": HttpIdentityChecker}


def get_checker() -> IdentityChecker:
    name = current_app.config.get("IDENTITY_CHECKER", "local")
    if name not in CHECKERS:
        raise RuntimeError(f"IDENTITY_CHECKER must be one of {', '.join(CHECKERS)}, not {name!r}")
    checker = CHECKERS[name]
    return checker(current_app.config) if checker is HttpIdentityChecker else checker()


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
        claimed = _claim_check(volunteer_id)
        if claimed != "claimed":
            return claimed
        return _ask(volunteer_id, attempt=1)
    finally:
        db.session.rollback()


def ask_identity_again(volunteer_id, attempt):
    """The job that asks a checker that could not answer before, while the 24 hours last."""
    db.session.rollback()
    try:
        volunteer = db.session.get(Volunteer, volunteer_id)
        if volunteer is None or volunteer.identity_check_status != rules.VERIFYING or rules.is_overdue(
                volunteer.identity_check_status, volunteer.identity_check_requested_at, utcnow()):
            return volunteer.identity_check_status if volunteer else None
        return _ask(volunteer_id, attempt)
    finally:
        db.session.rollback()


@use_case
def _claim_check(volunteer_id):
    """请求中 → 校验中 (or 未知 for an ID the checker cannot take). 'claimed' when this job asks."""
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.identity_check_status != rules.REQUESTED:
        return volunteer.identity_check_status if volunteer else None
    account = volunteer.account
    if not rules.is_checkable(account.id_type, account.id_number):
        _apply(volunteer, "not_checkable")
        return volunteer.identity_check_status
    # Of two jobs for the same request only one proceeds.
    claimed = db.session.execute(
        db.update(Volunteer)
        .where(Volunteer.id == volunteer_id, Volunteer.identity_check_status == rules.REQUESTED)
        .values(identity_check_status=rules.transition(rules.REQUESTED, "start"))
    ).rowcount
    return "claimed" if claimed else None


def _ask(volunteer_id, attempt):
    volunteer = db.session.get(Volunteer, volunteer_id)
    requested_at = volunteer.identity_check_requested_at
    real_name, id_number = volunteer.account.real_name or "", volunteer.account.id_number
    db.session.rollback()  # no transaction held open while the checker thinks
    try:
        answer = get_checker().check(real_name, id_number)
    except IdentityServiceUnavailable as exc:
        delay = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (attempt - 1))
        log.warning("identity check of volunteer %s: checker unavailable (%s); asking again in %s s",
                    volunteer_id, exc, delay)
        if attempt == 1:
            _schedule_deadline(volunteer_id)
        jobs.queue.enqueue_in(timedelta(seconds=delay), ask_identity_again, volunteer_id, attempt + 1)
        return rules.VERIFYING
    if answer is None:
        if attempt == 1:
            _schedule_deadline(volunteer_id)
        return rules.VERIFYING
    return _record_answer(volunteer_id, requested_at, answer)


def _schedule_deadline(volunteer_id):
    # The worker's scheduler comes back when the 24 hours are up (the periodic sweep is the
    # safety net should that job be lost).
    jobs.queue.enqueue_in(rules.ANSWER_DEADLINE + timedelta(seconds=5), expire_unanswered_check, volunteer_id)


@use_case
def _record_answer(volunteer_id, requested_at, answer):
    volunteer = db.session.get(Volunteer, volunteer_id)
    db.session.refresh(volunteer)
    # A resubmission meanwhile started a new check: this answer is about old data.
    if volunteer.identity_check_status != rules.VERIFYING or volunteer.identity_check_requested_at != requested_at:
        return None
    _apply(volunteer, "answer_passed" if answer == "passed" else "answer_failed")
    return volunteer.identity_check_status


@use_case
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
    return volunteer.identity_check_status


@use_case
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
