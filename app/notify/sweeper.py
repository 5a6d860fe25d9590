"""The periodic sweep: re-queue every outbox row that is due and has no job in flight.

It catches what the direct path can miss: a job lost with a killed worker (its row stays
'sending' until the lease ends), a retry whose scheduled job vanished, a row whose after-commit
enqueue failed (Redis down for a moment). The worker starts it (app/worker.py); `flask
outbox-sweep` runs it once (cron, or by hand after an incident).
"""
import logging
import threading
from datetime import timedelta

from flask import current_app

from app.extensions import db, jobs, redis_store
from app.models import OutboxMessage
from app.notify.delivery import deliver_message
from app.timeutil import utcnow

log = logging.getLogger(__name__)


def sweep_outbox(limit=1000):
    """Queue a delivery job for each due row; → how many were queued."""
    now = utcnow()
    M = OutboxMessage
    grace = now - timedelta(seconds=current_app.config["OUTBOX_PENDING_GRACE_SECONDS"])
    due = db.session.execute(
        db.select(M.id).where(db.or_(
            db.and_(M.status == "pending", M.next_attempt_at <= grace),  # its first job went missing
            db.and_(M.status == "failed", M.next_attempt_at <= now),
            db.and_(M.status == "sending", M.next_attempt_at <= now),  # lease over: the worker died
        )).order_by(M.next_attempt_at).limit(limit)
    ).scalars().all()
    db.session.rollback()  # a read only: end it (no MariaDB snapshot held) before queueing the jobs
    lease = current_app.config["OUTBOX_LEASE_SECONDS"]
    queued = 0
    for message_id in due:
        # One job per row per lease, however often the sweep passes while a backlog drains.
        if redis_store.client.set(redis_store.key("outbox", "swept", message_id), 1, nx=True, ex=lease):
            jobs.enqueue(deliver_message, message_id)
            queued += 1
    return queued


def start_sweeper(app):
    """A daemon thread in the worker process: sweeps at start-up and every OUTBOX_SWEEP_SECONDS.
    With several workers, a Redis key lets one sweep per interval run."""
    interval = app.config["OUTBOX_SWEEP_SECONDS"]
    stop = threading.Event()

    def once():
        with app.app_context():
            try:
                lock = redis_store.key("outbox", "sweep-lock")
                if redis_store.client.set(lock, 1, nx=True, ex=max(1, interval)):
                    count = sweep_outbox()
                    if count:
                        log.info("outbox sweep queued %s message(s)", count)
            except Exception:  # the sweep must outlive a database or Redis hiccup
                log.exception("outbox sweep failed")
            finally:
                db.session.remove()

    def loop():
        once()
        while not stop.wait(interval):
            once()

    thread = threading.Thread(target=loop, name="outbox-sweeper", daemon=True)
    thread.start()
    return stop
