"""The report rollups: `flask reports-refresh` rebuilds them, --since only the recent months, and a
report reads what the last refresh made (as_of)."""
from app.extensions import db
from app.models import ReportRollup
from tests.api.takeaway_helpers import day, past_activity, record


def minutes_by_month():
    rows = db.session.execute(db.select(ReportRollup.month, db.func.sum(ReportRollup.value))
                              .where(ReportRollup.metric == "minutes").group_by(ReportRollup.month)).all()
    return dict((m, int(v)) for m, v in rows)


def test_refresh_from_the_command_line_and_for_recent_months(app, factories):
    team = factories.org()
    activity = past_activity(factories, team, "社区长者探访")
    volunteer = factories.volunteer(team)
    record(volunteer, activity, 60, day=day("2026-09-10"))
    result = app.test_cli_runner().invoke(args=["reports-refresh"])
    assert result.exit_code == 0 and "row(s)" in result.output
    assert minutes_by_month() == {"2026-09": 60}
    record(volunteer, activity, 30, day=day("2026-10-10"))
    record(volunteer, activity, 15, day=day("2026-09-11"))
    result = app.test_cli_runner().invoke(args=["reports-refresh", "--since", "2026-10"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert minutes_by_month() == {"2026-09": 60, "2026-10": 30}  # September left as it was
    app.test_cli_runner().invoke(args=["reports-refresh"])
    db.session.rollback()
    assert minutes_by_month() == {"2026-09": 75, "2026-10": 30}


def test_the_benchmark_workload_runs_and_reports_its_timings(app, factories):
    from app.services.reports import run_report_workload

    team = factories.org()
    record(factories.volunteer(team), past_activity(factories, team, "社区长者探访"), 60, day=day("2026-10-10"))
    timings = run_report_workload(team.id, day("2026-10-01"), day("2026-10-31"))
    assert set(timings) == {"refresh_s", "report_s", "export_s", "export_bytes"}
    assert timings["export_bytes"] > 100 and all(timings[k] >= 0 for k in ("refresh_s", "report_s", "export_s"))
