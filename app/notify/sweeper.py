"""The periodic sweep: re-queue every outbox row that is due and has no job in flight.

It catches what the direct path can miss: a job lost with a killed worker (its row stays
'sending' until the lease ends), a retry whose scheduled job vanished, a row whose after-commit
enqueue failed (Redis down for a moment). The worker starts it (app/worker.py); `flask
outbox-sweep` runs it once (cron, or by hand after an incident).
"""
import logging
import threading
import time
import uuid
from datetime import timedelta

from flask import current_app

from app import metrics
from app.extensions import db, jobs, redis_store
from app.models import OutboxMessage
from app.notify.delivery import deliver_message
from app.timeutil import utcnow

log = logging.getLogger(__name__)

# KEYS: the lock   ARGV: our token, milliseconds left of the interval. Ours only: leave it to expire
# at the end of the interval (one sweep per interval), or delete it when the interval is over.
_FINISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('DEL', KEYS[1])
"""


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

    With several workers, one sweep runs at a time and at most one per interval: a Redis lock with a
    token of this sweep's own is held while it runs (bounded by the outbox lease, far longer than a
    sweep takes) and, once it is done, left to expire at the end of the interval."""
    interval = app.config["OUTBOX_SWEEP_SECONDS"]
    hold_ms = 1000 * max(interval, app.config["OUTBOX_LEASE_SECONDS"])
    stop = threading.Event()

    def once():
        with app.app_context():
            lock, token = redis_store.key("outbox", "sweep-lock"), uuid.uuid4().hex
            held, started = False, time.time()
            try:
                held = redis_store.client.set(lock, token, nx=True, px=hold_ms)
                if held:
                    count = sweep_outbox()
                    metrics.outbox_swept()
                    log.info("outbox sweep", extra={"queued": count, "sweep_started": round(started, 3),
                                                    "sweep_ended": round(time.time(), 3)})
            except Exception:  # the sweep must outlive a database or Redis hiccup
                log.exception("outbox sweep failed")
            finally:
                db.session.remove()
                if held:
                    left_ms = int(1000 * (interval - (time.time() - started)))
                    try:
                        redis_store.client.eval(_FINISH, 1, lock, token, left_ms)
                    except Exception:  # Redis is down: the lock expires by itself
                        log.warning("outbox sweep lock not released")

    def loop():
        once()
        while not stop.wait(interval):
            once()

    thread = threading.Thread(target=loop, name="outbox-sweeper", daemon=True)
    thread.start()
    return stop
