"""How pooled MariaDB/MySQL connections are checked and reset: in as few round trips as is safe.

SQLAlchemy's usual settings cost two round trips per request on top of the request's own
statements: pre-ping (a COM_PING at every checkout) and reset-on-return (a ROLLBACK at every
checkin, right after the Session has itself committed or rolled back). In a check-in burst those
were 2 of a scan's 6 round trips, each a pair of context switches on a busy machine.

- Reset: every connection is used through a SQLAlchemy Session or Connection, and both end their
  transaction (commit, or rollback on close) before the connection goes back to the pool, so the
  pool's own ROLLBACK only repeated it (engine option pool_reset_on_return=None). Code that takes a
  raw DBAPI connection must end its transaction itself; nothing here does.
- Ping: a connection is pinged at checkout only after sitting idle in the pool longer than
  DB_IDLE_PING_SECONDS. Idle is when a server restart, a failover or a proxy's idle timeout can close
  it unseen; a broken one is then replaced before the request uses it. A connection in constant use
  that breaks fails its next statement, which SQLAlchemy answers by invalidating the pool, as it
  would for a connection breaking between a ping and a query.
"""
import time

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError


def install(engine, idle_ping_seconds):
    """Ping connections that come out of the pool after more than idle_ping_seconds of rest."""

    @event.listens_for(engine, "checkin")
    def _resting_since(dbapi_connection, record):
        record.info["resting_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_rested(dbapi_connection, record, proxy):
        resting_since = record.info.get("resting_since")
        if resting_since is None or time.monotonic() - resting_since <= idle_ping_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool discards this connection and checks out a fresh one (up to three tries).
            raise DisconnectionError(f"idle connection failed its ping: {exc}") from exc
