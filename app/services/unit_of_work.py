"""One use case, one transaction, and side effects only after it commits.

A service function decorated with @use_case commits once when it returns and rolls back when
it raises (a DomainError included), so a refusal never leaves half a change behind. A use case
called from inside another joins the outer one: only the outermost commits.

after_commit(func, *args) queues work that must not happen for a change that did not: a job
to run, a message to send. It runs right after the commit and is forgotten on a rollback, the
way the outbox (app/notify/outbox.py) hands its rows to the delivery job.
"""
import functools

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_DEPTH = "izyz_use_case_depth"
_AFTER_COMMIT = "izyz_after_commit"


def use_case(func):
    @functools.wraps(func)
    def run(*args, **kwargs):
        session = db.session()
        depth = session.info.get(_DEPTH, 0)
        session.info[_DEPTH] = depth + 1
        try:
            result = func(*args, **kwargs)
            if depth == 0:
                session.commit()
            return result
        except BaseException:
            if depth == 0:
                session.rollback()
            raise
        finally:
            session.info[_DEPTH] = depth
    return run


def after_commit(func, *args, **kwargs):
    """Call func(*args, **kwargs) once the current transaction commits; never if it rolls back."""
    db.session().info.setdefault(_AFTER_COMMIT, []).append((func, args, kwargs))


@event.listens_for(Session, "after_commit")
def _run_after_commit(session):
    for func, args, kwargs in session.info.pop(_AFTER_COMMIT, ()):
        func(*args, **kwargs)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session):
    session.info.pop(_AFTER_COMMIT, None)


def fresh_transaction():
    """For a use case that starts by locking a row: drop the read-only transaction the request
    began before the use case (authentication), so that the lock opens the use case's own
    transaction. On MariaDB a REPEATABLE READ snapshot begins at the first plain read: reads made
    after the lock must belong to a transaction that starts with it to see what the previous
    holder of the lock committed. Nothing is committed here (the use case commits once); inside an
    outer use case the outer one owns the transaction and nothing happens."""
    session = db.session()
    if session.info.get(_DEPTH, 0) <= 1:
        session.rollback()
