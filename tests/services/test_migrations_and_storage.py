"""The migrations build the schema the models describe, on SQLite and MariaDB alike,
and no personal number reaches the database in plaintext."""
from contextlib import ExitStack
from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from app.domain.idcard import make_id_number
from app.extensions import db
from scripts.scratch import scratch_database


def test_upgrade_from_empty_matches_the_models(app, database_url, tmp_path):
    """A brand-new database (not the session's) upgraded to head has no drift from the models."""
    from flask_migrate import upgrade

    from app import create_app
    from tests.conftest import RUN_ID

    with ExitStack() as stack:
        if database_url.startswith("sqlite"):
            fresh_url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        else:
            fresh_url = stack.enter_context(scratch_database(database_url, f"{make_url(database_url).database}_fresh"))
        fresh = create_app({"APP_ENV": "testing", "DATABASE_URL": fresh_url,
                            "REDIS_URL": app.config["REDIS_URL"], "REDIS_PREFIX": f"fresh-{RUN_ID}:"})
        with fresh.app_context():
            upgrade()
            engine = db.engine
            with engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
                tables = set(inspect(conn).get_table_names())
            engine.dispose()
        assert diff == []
        assert {"accounts", "volunteers", "organisations", "activities", "enrollments", "clock_events",
                "service_records", "supplement_entries", "objections", "outbox_messages",
                "audit_log", "wechat_identities", "card_applications"} <= tables


def test_no_plaintext_id_or_phone_reaches_the_database(factories):
    id_number = make_id_number("440104", date(1990, 3, 7), 123)
    volunteer = factories.volunteer(factories.org(), id_number=id_number, phone="13912345678")
    assert volunteer.account.id_number == id_number  # readable through the model

    dump = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                dump.extend(str(value) for value in row)
    everything = "\n".join(dump)
    assert id_number not in everything
    assert "13912345678" not in everything
    assert id_number[6:14] not in everything  # not even the birth date in clear
