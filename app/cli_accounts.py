"""flask commands of the accounts area: bulk import, the identity-check sweep, platform admins."""
import click
from flask import current_app

from app.errors import DomainError
from app.services.authz import account_named, grant_platform_admin
from app.services.bulk_import import ImportFileError, import_volunteers, read_rows
from app.services.identity_check import sweep_overdue_checks


def register_account_commands(app):
    @app.cli.command("import-volunteers")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--org", "org_id", type=int, required=True, help="The home organisation's id.")
    @click.option("--actor", default=None, help="Username of the admin doing the import (checked, audited).")
    def import_volunteers_command(path, org_id, actor):
        """Import volunteers from .xlsx / .csv: bad rows are reported, good rows imported together.

        Columns (header row): 姓名, 性别, 证件类型 (default 居民身份证), 证件号码, 手机号码, 邮箱, 最高学历.
        Imported accounts set their password with an SMS code at first login (忘记密码).
        """
        actor_account = None
        if actor:
            actor_account = account_named(actor)
            if actor_account is None:
                raise click.ClickException(f"no account {actor!r}")
        try:
            report = import_volunteers(read_rows(path), org_id, actor=actor_account)
        except ImportFileError as exc:
            raise click.ClickException(str(exc)) from None
        except DomainError as exc:
            raise click.ClickException(f"{exc.code}: {exc.message}") from None
        for line, problems in report.bad_rows:
            click.echo(f"第 {line} 行: {'；'.join(problems)}", err=True)
        click.echo(f"imported {report.imported}, bad rows {len(report.bad_rows)}")
        if report.bad_rows:
            raise SystemExit(1)

    @app.cli.command("sweep-identity-checks")
    def sweep_identity_checks_command():
        """Identity checks with no answer after 24 hours become 未知 (run every few minutes)."""
        click.echo(f"checks set to 未知: {sweep_overdue_checks()}")

    @app.cli.command("create-platform-admin")
    @click.argument("username")
    def create_platform_admin_command(username):
        """Give an existing account the platform admin role (平台管理员)."""
        try:
            grant_platform_admin(username)
        except DomainError:  # the only refusal: ACCOUNT_NOT_FOUND
            raise click.ClickException(f"no account {username!r}") from None
        click.echo(f"{username} is now a platform admin ({current_app.config['APP_ENV']})")
