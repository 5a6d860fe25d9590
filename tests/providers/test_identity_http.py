"""Identity checks through the HTTP adapter, answered by the emulator's real-name service: its
answers, its errors and its latency; the 24-hour rule to 未知 stays."""
from datetime import timedelta

import pytest
from rq.registry import ScheduledJobRegistry

from app.extensions import db, jobs
from app.models import Volunteer
from app.services import identity_check
from app.timeutil import utcnow
from tests.api.accounts_helpers import new_identity, register
from tests.providers.sms_helpers import fail


@pytest.fixture
def http_checker(app, monkeypatch, emulator):
    for name, value in {"IDENTITY_CHECKER": "http", "IDENTITY_API_URL": emulator.url + "/identity/verify",
                        "IDENTITY_API_KEY": "dev-identity-key", "IDENTITY_API_SECRET": "dev-identity-secret",
                        "IDENTITY_TIMEOUT_SECONDS": 1}.items():
        monkeypatch.setitem(app.config, name, value)


def registered(client, emulator, run_jobs, factories, sequence=None):
    response, _ = register(client, emulator, run_jobs, factories.org(),
                           id_number=new_identity(sequence=sequence)["id_number"])
    assert response.status_code == 201, response.json
    run_jobs()
    return response.json["volunteer_id"]


def status(volunteer_id):
    db.session.rollback()
    return db.session.get(Volunteer, volunteer_id).identity_check_status


def scheduled():
    registry = ScheduledJobRegistry(queue=jobs.queue)
    return sorted(jobs.queue.fetch_job(job_id).func_name.rsplit(".", 1)[-1] for job_id in registry.get_job_ids())


def test_the_adapter_answers_match_and_mismatch(http_checker, client, emulator, run_jobs, factories):
    assert status(registered(client, emulator, run_jobs, factories)) == "passed"
    failed = registered(client, emulator, run_jobs, factories, sequence=0)
    assert status(failed) == "failed"
    assert db.session.get(Volunteer, failed).review_status == "rejected"
    assert emulator.state.identity_requests == 2


def test_unknown_waits_and_becomes_unknown_after_24_hours(http_checker, client, emulator, run_jobs, factories):
    volunteer_id = registered(client, emulator, run_jobs, factories, sequence=999)
    assert status(volunteer_id) == "verifying" and scheduled() == ["expire_unanswered_check"]
    later = utcnow() + timedelta(hours=24, seconds=10)
    assert identity_check.expire_unanswered_check(volunteer_id, now=later) == "unknown"


@pytest.mark.parametrize("failure", [{"status": 503}, {"status": 429}, {"delay": 1.5}])
def test_an_error_or_a_slow_answer_is_asked_again_within_the_24_hours(http_checker, client, emulator, run_jobs,
                                                                      factories, failure):
    fail(emulator, api="identity", **failure)
    volunteer_id = registered(client, emulator, run_jobs, factories)
    assert status(volunteer_id) == "verifying"
    assert scheduled() == ["ask_identity_again", "expire_unanswered_check"]
    # the scheduled retry, run now: the service answers this time
    assert identity_check.ask_identity_again(volunteer_id, 2) == "passed"
    assert status(volunteer_id) == "passed"


def test_a_wrong_secret_is_refused_by_the_service_and_never_passes(http_checker, app, monkeypatch, client, emulator,
                                                                   run_jobs, factories):
    monkeypatch.setitem(app.config, "IDENTITY_API_SECRET", "wrong")
    volunteer_id = registered(client, emulator, run_jobs, factories)
    assert status(volunteer_id) == "verifying"  # with the right secret it would have passed
    # still unanswered when the 24 hours are up: 未知, as with no checker
    assert identity_check.ask_identity_again(volunteer_id, 3) == "verifying"
    later = utcnow() + timedelta(hours=24, seconds=10)
    assert identity_check.expire_unanswered_check(volunteer_id, now=later) == "unknown"
