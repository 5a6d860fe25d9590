"""The background worker: RQ jobs run inside the Flask app context.

SimpleWorker runs jobs in this process (no fork per job), so the database pool and the app
context set up once are reused; the scheduler runs delayed jobs such as retries.
"""
import logging
import os
import signal
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import SimpleWorker
from rq.exceptions import StopRequested

from app import request_id
from app.extensions import db, jobs, redis_store
from app.notify.sweeper import start_sweeper

log = logging.getLogger(__name__)
RESTART_DELAYS = (1, 2, 5)  # seconds before working again after Redis failed under the worker
SCHEDULER_STOP_SECONDS = 10  # seconds the scheduler process gets to stop after a SIGTERM
# An idle worker comes back from its blocking dequeue every WORKER_TTL - 15 seconds and then checks
# that its scheduler still runs (RQ: every 10 minutes at the dequeue's 405 s). The scheduler is a
# process of its own that dies when Redis does; a job due meanwhile (a retry, the identity check's
# follow-up) waits until a check starts it again.
WORKER_TTL = 35
SCHEDULER_CHECK_SECONDS = 15


class AppWorker(SimpleWorker):
    """Ends each job's transaction, so the next job never reads an old MariaDB snapshot
    (REPEATABLE READ keeps the first read's view until the transaction ends). A job runs under the
    request id of the request that queued it, so its log lines carry that id."""

    stop_asked = False  # a SIGTERM or SIGINT arrived (RQ's warm shutdown), as opposed to a failure

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("worker_ttl", WORKER_TTL)
        kwargs.setdefault("maintenance_interval", SCHEDULER_CHECK_SECONDS)
        super().__init__(*args, **kwargs)

    def run_maintenance_tasks(self):
        """RQ restarts a dead scheduler here, but only once it wins the scheduler's lock again, which
        the dead one still holds (for a minute, or until Redis forgets it): let go of it first."""
        release_dead_scheduler_locks(self)
        super().run_maintenance_tasks()

    def request_stop(self, signum, frame):
        self.stop_asked = True
        super().request_stop(signum, frame)

    def stop_scheduler(self):
        """RQ's own waits for the scheduler process without end; one wedged by a Redis outage (or by
        a lock another thread held when it was forked) would keep the worker from ever stopping.
        Give it SCHEDULER_STOP_SECONDS after SIGTERM, then kill it."""
        process = self.scheduler._process if self.scheduler else None
        if not (process and process.pid):
            return
        try:
            os.kill(process.pid, signal.SIGTERM)
        except OSError:
            pass
        process.join(SCHEDULER_STOP_SECONDS)
        if process.is_alive():
            log.warning("job worker: the scheduler process did not stop; killed")
            process.kill()
            process.join(5)

    def perform_job(self, job, queue):
        with request_id.bound(request_id.of_job(job)):
            try:
                return super().perform_job(job, queue)
            finally:
                try:
                    db.session.rollback()
                except Exception:  # the database went away mid-job: start the next job on a fresh session
                    db.session.remove()


def run_worker(app, burst=False):
    with app.app_context():
        worker = AppWorker([jobs.queue], connection=redis_store.client)
        if not burst:
            # The outbox's safety net: re-queue messages left due by a dead worker or a lost job.
            # Started only now: RQ has just raised the pool's socket timeout above its blocking
            # dequeue, and a connection opened before that (5 s) would break the dequeue.
            start_sweeper(app)
        if burst:
            worker.work(burst=True)
            return
        # RQ's worker quits when Redis fails under it outside its dequeue (a heartbeat, a registry
        # clean-up, during a Sentinel failover or a restart of Redis): work again with a new one,
        # until a SIGTERM or SIGINT asks it to stop (RQ's warm shutdown: the current job finishes).
        failures = 0
        while True:
            try:
                worker = worker or AppWorker([jobs.queue], connection=redis_store.client)  # asks Redis too
                worker.work(with_scheduler=True)
            except (RedisConnectionError, RedisTimeoutError) as exc:
                log.warning("job worker: Redis unavailable (%s)", type(exc).__name__)
            if worker is not None and worker.stop_asked:
                return
            delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)]
            failures += 1
            log.warning("job worker stopped without being asked to; working again in %s s", delay)
            try:
                time.sleep(delay)  # RQ's signal handlers are still those of the worker that quit
            except StopRequested:
                return
            if worker is not None and worker.stop_asked:
                return
            release_dead_scheduler_locks(worker)  # the new worker's scheduler takes over at once
            worker = None


def release_dead_scheduler_locks(worker):
    """The scheduler locks still held in the name of this worker's scheduler when its process has
    died; nothing when it runs or when Redis cannot be reached (the next check tries again)."""
    scheduler = getattr(worker, "scheduler", None)
    if scheduler is None or (scheduler._process is not None and scheduler._process.is_alive()):
        return
    try:
        scheduler.release_locks()
    except (RedisConnectionError, RedisTimeoutError):
        pass


def run_pending_jobs(app):
    """Tests and scripts: run everything queued now, then return."""
    with app.app_context():
        worker = AppWorker([jobs.queue], connection=redis_store.client)
        worker.work(burst=True)
