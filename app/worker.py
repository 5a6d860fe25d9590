"""The background worker: RQ jobs run inside the Flask app context.

SimpleWorker runs jobs in this process (no fork per job), so the database pool and the app
context set up once are reused; the scheduler runs delayed jobs such as retries.
"""
from rq import SimpleWorker

from app.extensions import jobs, redis_store


def run_worker(app, burst=False):
    with app.app_context():
        worker = SimpleWorker([jobs.queue], connection=redis_store.client)
        if not burst:
            # The outbox's safety net: re-queue messages left due by a dead worker or a lost job.
            # Started only now: RQ has just raised the pool's socket timeout above its blocking
            # dequeue, and a connection opened before that (5 s) would break the dequeue.
            from app.notify.sweeper import start_sweeper

            start_sweeper(app)
        worker.work(burst=burst, with_scheduler=not burst)


def run_pending_jobs(app):
    """Tests and scripts: run everything queued now, then return."""
    with app.app_context():
        worker = SimpleWorker([jobs.queue], connection=redis_store.client)
        worker.work(burst=True)
