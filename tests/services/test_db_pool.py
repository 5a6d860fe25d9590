"""The MariaDB pool without pre-ping and without its own ROLLBACK (app/db_pool.py) stays correct.

These run against MariaDB only, on an app of their own: each request there pushes its own app
context, so its connection really goes back to the pool between requests, as under gunicorn.
"""
import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.models import Volunteer
from tests import conftest
from tests.activity_helpers import bearer


@pytest.fixture
def pooled_app(database_url, redis_url, emulator, tmp_path):
    if database_url.startswith("sqlite"):
        pytest.skip("the pool settings under test are MariaDB's")
    application = create_app(conftest.test_config(database_url, redis_url, emulator, upload_dir=tmp_path,
                                         DB_IDLE_PING_SECONDS="0"))
    yield application
    with application.app_context():
        db.engine.dispose()


def total_minutes(client, headers):
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.json
    return response.json["volunteer"]["total_minutes"]


def test_a_pooled_connection_never_carries_an_old_snapshot_into_the_next_request(pooled_app, factories):
    """Under REPEATABLE READ a transaction left open by one request would show the next request
    the data as it was: every request must see what others committed in between."""
    volunteer = factories.volunteer(factories.org())
    headers = bearer(volunteer)
    client = pooled_app.test_client()
    assert total_minutes(client, headers) == 0  # a read-only request
    db.session.execute(db.update(Volunteer).where(Volunteer.id == volunteer.id).values(total_minutes=90))
    db.session.commit()  # committed elsewhere
    assert total_minutes(client, headers) == 90
    # A request that commits (a password-free write: logging out revokes the token) leaves the
    # connection clean too.
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    headers = bearer(volunteer)
    db.session.execute(db.update(Volunteer).where(Volunteer.id == volunteer.id).values(total_minutes=150))
    db.session.commit()
    assert total_minutes(client, headers) == 150
    with pooled_app.app_context():
        pool = db.engine.pool
        assert pool.checkedout() == 0
        with db.engine.connect() as conn:  # the connection the requests used, back in the pool
            assert conn.execute(text("SELECT @@in_transaction")).scalar() == 0


def test_a_connection_closed_by_the_server_while_idle_is_replaced_before_use(pooled_app, factories):
    """A restart, failover or proxy timeout closes a resting connection unseen: the ping at
    checkout (DB_IDLE_PING_SECONDS) replaces it, and the volunteer never sees an error."""
    volunteer = factories.volunteer(factories.org())
    headers = bearer(volunteer)
    client = pooled_app.test_client()
    assert total_minutes(client, headers) == 0
    with pooled_app.app_context():
        with db.engine.connect() as conn:
            pooled_id = conn.execute(text("SELECT CONNECTION_ID()")).scalar()
    db.session.execute(text(f"KILL CONNECTION {int(pooled_id)}"))
    assert total_minutes(client, headers) == 0
    with pooled_app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT CONNECTION_ID()")).scalar() != pooled_id
