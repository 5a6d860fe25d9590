"""The accounts area's flask commands: the 24-hour identity-check sweep and platform admins."""
from datetime import timedelta

from app.extensions import db
from app.models import Account, Volunteer
from app.timeutil import utcnow


def test_sweep_command_turns_unanswered_checks_into_unknown(app, factories):
    org = factories.org()
    old = factories.volunteer(org, status="pending", identity="verifying")
    fresh = factories.volunteer(org, status="pending", identity="requested")
    old.identity_check_requested_at = utcnow() - timedelta(hours=25)
    fresh.identity_check_requested_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["sweep-identity-checks"])
    assert result.exit_code == 0 and "1" in result.output
    db.session.expire_all()
    assert db.session.get(Volunteer, old.id).identity_check_status == "unknown"
    assert db.session.get(Volunteer, fresh.id).identity_check_status == "requested"


def test_create_platform_admin(app, client, factories):
    account = factories.account(username="ops-root")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-platform-admin", "nobody"]).exit_code != 0
    assert runner.invoke(args=["create-platform-admin", "ops-root"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(Account, account.id).is_platform_admin
    headers = factories.login(client, account)
    assert client.get("/api/v1/admin/volunteers", headers=headers).status_code == 200
