"""Delivery of outbox rows: retries with backoff, final errors, leases, fencing, the send rate,
and delivery status from TEMPLATESENDJOBFINISH. WeChat is the emulator, over HTTP."""
from datetime import timedelta

import pytest
import requests

from app.extensions import db
from app.models import OutboxMessage
from app.notify import delivery
from app.notify.outbox import queue_message
from app.notify.sweeper import sweep_outbox
from app.timeutil import utcnow
from tests.activity_helpers import bind_mp


def fail(emulator, **spec):
    requests.post(emulator.url + "/__emulator__/fail", json=spec, timeout=5).raise_for_status()


def one_message(factories, key="m1", sms=False):
    volunteer = factories.volunteer(factories.org())
    bind_mp(volunteer)
    queue_message(kind="admission", account_id=volunteer.account_id, dedupe_key=key,
                  fields={"title": "活动", "result": "已录用", "start": "2026-12-01 09:00", "place": "越秀"},
                  sms_text="【i志愿】录用" if sms else None)
    db.session.commit()
    return db.session.execute(db.select(OutboxMessage).filter_by(channel="template")).scalar_one()


def row(message_id):
    db.session.rollback()
    return db.session.get(OutboxMessage, message_id)


def make_due(message_id):
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(next_attempt_at=utcnow() - timedelta(seconds=5)))
    db.session.commit()


@pytest.mark.parametrize("failure", [{"errcode": -1}, {"errcode": 45009}, {"status": 503}, {"errcode": 45011}])
def test_a_transient_error_is_retried_later_and_sent_once(factories, emulator, run_jobs, failure):
    message = one_message(factories)
    fail(emulator, api="template_send", **failure)
    run_jobs()
    failed = row(message.id)
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.next_attempt_at > utcnow()  # backoff: not before its time
    assert delivery.deliver_message(message.id) == "not due"
    make_due(message.id)
    assert sweep_outbox() == 1
    run_jobs()
    sent = row(message.id)
    assert sent.status == "sent" and sent.attempts == 2 and sent.wechat_msgid
    assert len([m for m in emulator.state.sent if m["channel"] == "template"]) == 1


def test_backoff_grows_and_is_capped(app):
    app.config.update(OUTBOX_RETRY_BASE_SECONDS=10, OUTBOX_RETRY_MAX_SECONDS=300)
    try:
        waits = [delivery.backoff_seconds(n) for n in range(1, 10)]
    finally:
        app.config.update(OUTBOX_RETRY_BASE_SECONDS=10, OUTBOX_RETRY_MAX_SECONDS=3600)
    assert 8 <= waits[0] <= 12 and 16 <= waits[1] <= 24 and 32 <= waits[2] <= 48
    assert max(waits) <= 360


@pytest.mark.parametrize("errcode", [43101, 43004, 40003])
def test_a_final_error_is_recorded_and_never_retried(factories, emulator, run_jobs, errcode):
    message = one_message(factories)
    fail(emulator, api="template_send", errcode=errcode)
    run_jobs()
    given_up = row(message.id)
    assert given_up.status == "given_up" and given_up.last_error.startswith(str(errcode))
    make_due(message.id)
    assert sweep_outbox() == 0
    run_jobs()
    assert emulator.state.sent == []


def test_too_many_attempts_give_up(app, factories, emulator, run_jobs):
    message = one_message(factories)
    fail(emulator, api="template_send", errcode=-1, times=10)
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    try:
        for _ in range(3):
            make_due(message.id)
            delivery.deliver_message(message.id)
    finally:
        app.config["OUTBOX_MAX_ATTEMPTS"] = 8
    given_up = row(message.id)
    assert given_up.status == "given_up" and given_up.attempts == 3 and "3 attempts" in given_up.last_error


def test_a_row_left_sending_by_a_dead_worker_is_sent_after_its_lease(factories, emulator, run_jobs):
    message = one_message(factories)
    assert delivery.claim(message.id) == 1  # a worker took it … and died
    assert sweep_outbox() == 0  # the lease still runs: nobody else may send it
    assert delivery.deliver_message(message.id) == "not due"
    make_due(message.id)  # the lease is over
    assert sweep_outbox() == 1
    assert sweep_outbox() == 0  # one job per row per lease, however often the sweep passes
    run_jobs()
    assert row(message.id).status == "sent"
    assert len(emulator.state.sent) == 1


def test_a_worker_that_lost_its_lease_cannot_overwrite_the_outcome(factories):
    message = one_message(factories)
    first = delivery.claim(message.id)
    make_due(message.id)
    second = delivery.claim(message.id)  # the lease ran out; another worker took over
    assert (first, second) == (1, 2)
    assert delivery._finish(message.id, first, status="failed", last_error="late") == 0
    assert delivery._finish(message.id, second, status="sent") == 1
    assert row(message.id).status == "sent"


def test_template_send_job_finish_sets_delivery_status(factories, run_jobs):
    message = one_message(factories)
    run_jobs()
    sent = row(message.id)
    assert delivery.mark_template_result(sent.wechat_msgid, "success").status == "delivered"
    # WeChat repeats events: a later different answer does not undo the first
    assert delivery.mark_template_result(sent.wechat_msgid, "failed:user block").status == "delivered"
    assert delivery.mark_template_result("no-such-msgid", "success") is None


def test_a_finish_event_that_overtakes_our_commit_is_applied(factories, emulator, run_jobs):
    message = one_message(factories)
    # The emulator numbers messages from 1001: the event for 1001 arrives before we record it.
    assert delivery.mark_template_result("1001", "failed:user block") is None
    run_jobs()
    final = row(message.id)
    assert final.wechat_msgid == "1001"
    assert final.status == "given_up" and final.last_error == "failed:user block"


def test_the_send_rate_is_kept(app, factories, emulator, run_jobs):
    app.config["WECHAT_SEND_RATE"] = "2/minute"
    app.extensions.pop("izyz_send_limiter", None)
    try:
        volunteers = [factories.volunteer(factories.org()) for _ in range(4)]
        for v in volunteers:
            bind_mp(v)
            queue_message(kind="admission", account_id=v.account_id, dedupe_key=f"rate:{v.id}",
                          fields={"title": "t", "result": "已录用"})
        db.session.commit()
        run_jobs()
    finally:
        app.config["WECHAT_SEND_RATE"] = "20/second"
        app.extensions.pop("izyz_send_limiter", None)
    db.session.rollback()
    statuses = sorted(m.status for m in db.session.execute(db.select(OutboxMessage)).scalars())
    assert statuses == ["pending", "pending", "sent", "sent"]
    waiting = db.session.execute(db.select(OutboxMessage).filter_by(status="pending")).scalars().all()
    assert all(m.next_attempt_at > utcnow() and m.attempts == 0 for m in waiting)  # throttling is no attempt
    assert len(emulator.state.sent) == 2


def test_an_unexpected_error_is_retried_then_given_up_not_looped_forever(app, factories, emulator):
    message = one_message(factories)
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.id == message.id).values(kind="no_such_kind"))
    db.session.commit()
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    try:
        assert delivery.deliver_message(message.id) == "failed"
        assert row(message.id).last_error.startswith("KeyError")
        make_due(message.id)
        assert delivery.deliver_message(message.id) == "given_up"
    finally:
        app.config["OUTBOX_MAX_ATTEMPTS"] = 8
    assert emulator.state.sent == []


def test_a_row_whose_workers_keep_dying_is_given_up(app, factories, emulator):
    message = one_message(factories)
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    try:
        for _ in range(2):  # claimed, and the worker died each time
            assert delivery.claim(message.id) is not None
            make_due(message.id)
        assert delivery.deliver_message(message.id) == "given_up"
    finally:
        app.config["OUTBOX_MAX_ATTEMPTS"] = 8
    assert row(message.id).last_error == "2 attempts without an outcome"
    assert emulator.state.sent == []


def test_a_send_whose_worker_died_before_recording_it_is_placed_by_the_finish_event(factories, emulator, app):
    """The crash window: WeChat accepted the message, the worker died before 'sent'. The
    TEMPLATESENDJOBFINISH event (openid + msgid) places it, and the sweep does not send it again."""
    from app.notify.templates import render
    from app.wechat.gateway import get_gateway

    message = one_message(factories)
    assert delivery.claim(message.id) == 1
    rendered = render(message.kind, "template", message.payload["fields"])
    msgid = get_gateway().send_template(message.recipient, rendered["template_id"], rendered["data"])
    # … the worker dies here. WeChat reports the delivery:
    placed = delivery.mark_template_result(msgid, "success", openid=message.recipient)
    assert placed.id == message.id and placed.status == "delivered" and placed.wechat_msgid == str(msgid)
    make_due(message.id)  # the lease ends
    assert sweep_outbox() == 0
    assert delivery.deliver_message(message.id) == "not due"
    assert len(emulator.state.sent) == 1


def test_a_finish_event_is_not_guessed_onto_one_of_several_rows(factories):
    volunteer = factories.volunteer(factories.org())
    bind_mp(volunteer, openid="o-two")
    for key in ("a", "b"):
        queue_message(kind="admission", account_id=volunteer.account_id, dedupe_key=key,
                      fields={"title": key, "result": "已录用"})
    db.session.commit()
    ids = db.session.execute(db.select(OutboxMessage.id)).scalars().all()
    for message_id in ids:
        delivery.claim(message_id)
    assert delivery.mark_template_result("777", "success", openid="o-two") is None
    assert {row(i).status for i in ids} == {"sending"}
