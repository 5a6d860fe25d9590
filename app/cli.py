"""flask commands: demo data, the job worker."""
import click
from flask import current_app

from app import demo
from app.cli_accounts import register_account_commands
from app.cli_keys import register_key_commands
from app.extensions import db
from app.notify.sweeper import sweep_outbox
from app.worker import run_worker


def register(app):
    register_account_commands(app)
    register_key_commands(app)

    @app.cli.command("load-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no organisation.")
    def load_demo(if_empty):
        """Load the demo organisations, accounts and activities (development only)."""
        if current_app.config["APP_ENV"] == "production":
            raise click.ClickException("demo data is never loaded in production")
        if if_empty and not demo.is_empty():
            click.echo("database not empty; demo data not loaded")
            return
        counts = demo.load_demo_data()
        click.echo(f"demo data loaded: {counts}")

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Run the queued jobs, then exit.")
    def worker(burst):
        """Run the background job worker (RQ) with its scheduler."""
        run_worker(current_app._get_current_object(), burst=burst)

    @app.cli.command("outbox-sweep")
    def outbox_sweep():
        """Queue a delivery job for every outbox message that is due (the worker also does this)."""
        click.echo(f"queued {sweep_outbox()} message(s)")

    @app.cli.command("reports-refresh")
    @click.option("--since", default=None, help='Rebuild only the months from this one on ("2026-11").')
    def reports_refresh(since):
        """Rebuild the report rollups (nightly in full from cron or the scheduler; --since for recent months)."""
        from app.services.reports import refresh_rollups

        click.echo(f"report rollups: {refresh_rollups(since=since)} row(s)")

    @app.cli.command("db-ready")
    def db_ready():
        """Exit 0 when the database answers (used by scripts)."""
        db.session.execute(db.text("SELECT 1"))
