"""统计报表: an organisation's figures — and with regional authority its subtree's — for a period.

Design for the 1 000 000-volunteer data set: nothing in a report scans volunteers or records.
refresh_rollups() rebuilds report_rollups, one row per (organisation, month, metric, category)
with the organisation's own figure, from a handful of GROUP BY queries; a report sums the rows of
the organisations in scope (a prefix match on the materialised path) and the months of the
period: thousands of small rows, not millions. Cron (or the scheduler) runs `flask reports-refresh`
(nightly in full; `--since 2026-11` rebuilds the recent months only); `as_of` in every report says
when the figures were made. The one figure that cannot be summed — distinct volunteers active in
the period — is counted live on the covering index ix_service_records_org_day.

Metrics, per organisation and month (Asia/Shanghai):
  minutes / records (category = the activity's service category, "transfer" for records brought
    in by transfer) by the month of the service day; volunteers_registered, volunteers_approved,
    volunteers_with_card by the home organisation and the month of registration (their status as
    of the refresh); activities_published by the month of creation; activities_held (not revoked,
    started by the refresh) by the month of the start.

For the performance issue's benchmark: run_report_workload(org_id, start, end) refreshes the
rollups, builds the report and drains the organisation's hours export, and returns the seconds
each took (scripts/bench can call it inside an app context on the large data set).
"""
import time
from datetime import date

from app.domain import reports as rules
from app.errors import DomainError
from app.extensions import db
from app.models import (
    Activity,
    CardApplication,
    Organisation,
    ReportRefresh,
    ReportRollup,
    ServiceRecord,
    TransferredRecord,
    Volunteer,
)
from app.services import authz, exports, tables
from app.services.unit_of_work import use_case
from app.timeutil import local_date, to_iso, utcnow

INSERT_BATCH = 5000
TOP_ORGS = 10
CARD_HELD = ("issued", "mailed")


def _month(column, local_time=True):
    """The "YYYY-MM" of a column: a date as it is, a UTC datetime in Shanghai time."""
    if db.engine.dialect.name == "sqlite":
        return db.func.strftime("%Y-%m", db.func.datetime(column, "+8 hours") if local_time else column)
    shifted = db.func.date_add(column, db.text("INTERVAL 8 HOUR")) if local_time else column
    return db.func.date_format(shifted, "%Y-%m")


def _rollup_queries(now):
    """(metric, query of (org_id, month, category, value)) for every metric."""
    record_month = _month(ServiceRecord.service_day, local_time=False)
    category = db.func.coalesce(Activity.service_category, rules.CATEGORY_NONE)
    records = (db.select(ServiceRecord.org_id, record_month, category,
                         db.func.sum(ServiceRecord.minutes), db.func.count(ServiceRecord.id))
               .join(Activity, Activity.id == ServiceRecord.activity_id)
               .where(ServiceRecord.status == "effective", ServiceRecord.service_day.is_not(None))
               .group_by(ServiceRecord.org_id, record_month, category))
    moved_month = _month(TransferredRecord.service_day, local_time=False)
    moved = (db.select(TransferredRecord.org_id, moved_month, db.literal(rules.CATEGORY_TRANSFER),
                       db.func.sum(TransferredRecord.minutes), db.func.count(TransferredRecord.id))
             .where(TransferredRecord.service_day.is_not(None))
             .group_by(TransferredRecord.org_id, moved_month))
    reg_month = _month(Volunteer.created_at)
    card_holders = db.select(CardApplication.volunteer_id).where(CardApplication.status.in_(CARD_HELD))

    def volunteers(*conditions):
        return (db.select(Volunteer.home_org_id, reg_month, db.literal(""), db.func.count(Volunteer.id))
                .where(*conditions).group_by(Volunteer.home_org_id, reg_month))

    created_month, start_month = _month(Activity.created_at), _month(Activity.start_at)
    return [
        ("records", records, (3, 4)),
        ("records", moved, (3, 4)),
        ("volunteers_registered", volunteers(), (3,)),
        ("volunteers_approved", volunteers(Volunteer.review_status == "approved"), (3,)),
        ("volunteers_with_card", volunteers(Volunteer.review_status == "approved", Volunteer.id.in_(card_holders)),
         (3,)),
        ("activities_published", db.select(Activity.org_id, created_month, db.literal(""), db.func.count(Activity.id))
         .group_by(Activity.org_id, created_month), (3,)),
        ("activities_held", db.select(Activity.org_id, start_month, db.literal(""), db.func.count(Activity.id))
         .where(Activity.revoked_at.is_(None), Activity.start_at <= now).group_by(Activity.org_id, start_month), (3,)),
    ]


@use_case
def refresh_rollups(since=None, now=None):
    """Rebuild the rollups (of the months from `since`, "YYYY-MM", or all); → rows written."""
    now = now or utcnow()
    delete = db.delete(ReportRollup)
    if since:
        delete = delete.where(ReportRollup.month >= since)
    db.session.execute(delete)
    merged = {}
    for metric, query, value_columns in _rollup_queries(now):
        for row in db.session.execute(query):
            org_id, month, category = row[0], row[1], row[2] or ""
            if month is None or (since and month < since):
                continue
            names = ("minutes", "records") if len(value_columns) == 2 else (metric,)
            for name, index in zip(names, value_columns, strict=True):
                key = (org_id, month, name, category if name in ("minutes", "records") else "")
                merged[key] = merged.get(key, 0) + int(row[index] or 0)
    rows = [{"org_id": k[0], "month": k[1], "metric": k[2], "category": k[3], "value": v} for k, v in merged.items()]
    for i in range(0, len(rows), INSERT_BATCH):
        db.session.execute(db.insert(ReportRollup), rows[i:i + INSERT_BATCH])
    db.session.add(ReportRefresh(refreshed_at=now, months=len({r["month"] for r in rows})))
    return len(rows)


def _period(start, end, now):
    today = local_date(now)
    end = end or today
    start = start or date(end.year, 1, 1)
    if start > end:
        raise DomainError("PERIOD_INVALID")
    return start, end


def organisation_report(admin, org_id, start=None, end=None, now=None):
    """The report as JSON-ready data (see the module's docstring for what each figure counts)."""
    now = now or utcnow()
    start, end = _period(start, end, now)
    org = authz.require_org(admin, org_id)
    months = rules.months_between(start, end)
    scope = exports.scope_filter(admin, org, ReportRollup.org_id)
    base = db.select(ReportRollup.metric, ReportRollup.category, ReportRollup.month,
                     db.func.sum(ReportRollup.value)).where(scope)
    in_period = db.session.execute(base.where(ReportRollup.month.in_(months))
                                   .group_by(ReportRollup.metric, ReportRollup.category, ReportRollup.month)).all()
    to_date = dict(db.session.execute(
        db.select(ReportRollup.metric, db.func.sum(ReportRollup.value)).where(scope, ReportRollup.month <= months[-1])
        .where(ReportRollup.metric.in_(("volunteers_registered", "volunteers_approved", "volunteers_with_card")))
        .group_by(ReportRollup.metric)).all())
    by_month = {m: {"month": m, "minutes": 0, "records": 0, "volunteers_registered": 0} for m in months}
    by_category, totals = {}, {}
    for metric, category, month, value in in_period:
        value = int(value or 0)
        totals[metric] = totals.get(metric, 0) + value
        if metric in by_month[month]:
            by_month[month][metric] += value
        if metric == "minutes":
            by_category[category] = by_category.get(category, 0) + value
    top = db.session.execute(
        db.select(Organisation.id, Organisation.name, db.func.sum(ReportRollup.value).label("minutes"))
        .join(Organisation, Organisation.id == ReportRollup.org_id)
        .where(scope, ReportRollup.metric == "minutes", ReportRollup.month.in_(months))
        .group_by(Organisation.id, Organisation.name).order_by(db.desc("minutes"), Organisation.id).limit(TOP_ORGS)
    ).all()
    approved = int(to_date.get("volunteers_approved") or 0)
    with_card = int(to_date.get("volunteers_with_card") or 0)
    refreshed = db.session.execute(db.select(db.func.max(ReportRefresh.refreshed_at))).scalar()
    org_count = db.session.execute(db.select(db.func.count(Organisation.id)).where(
        exports.scope_filter(admin, org, Organisation.id))).scalar_one()
    return {
        "organisation": {"id": org.id, "name": org.name}, "organisations_in_scope": org_count,
        "period": {"start": start.isoformat(), "end": end.isoformat()}, "as_of": to_iso(refreshed),
        "volunteers": {"registered": int(to_date.get("volunteers_registered") or 0), "approved": approved,
                       "with_card": with_card, "card_rate": rules.rate(with_card, approved),
                       "registered_in_period": totals.get("volunteers_registered", 0),
                       "active_in_period": _active_volunteers(admin, org, start, end)},
        "activities": {"published": totals.get("activities_published", 0), "held": totals.get("activities_held", 0)},
        "hours": {"total_minutes": totals.get("minutes", 0), "total_hours": round(totals.get("minutes", 0) / 60, 1),
                  "records": totals.get("records", 0),
                  "by_month": list(by_month.values()),
                  "by_category": [{"category": c, "label": rules.category_label(c), "minutes": m}
                                  for c, m in sorted(by_category.items(), key=lambda item: (-item[1], item[0]))]},
        "top_organisations": [{"org_id": i, "name": n, "minutes": int(m)} for i, n, m in top],
    }


def _active_volunteers(admin, org, start, end):
    """Distinct volunteers with an effective record in the period: live, on a covering index."""
    return db.session.execute(
        db.select(db.func.count(db.distinct(ServiceRecord.volunteer_id)))
        .where(exports.scope_filter(admin, org, ServiceRecord.org_id), ServiceRecord.service_day >= start,
               ServiceRecord.service_day <= end, ServiceRecord.status == "effective")).scalar_one()


@use_case
def report_file(admin, org_id, start=None, end=None):
    """The report as an xlsx download (audited like the exports)."""
    report = organisation_report(admin, org_id, start, end)
    authz.audit(admin, "export.report", org_id=org_id, target_type="organisation", target_id=org_id,
                detail={"period": report["period"]})
    v, a, h = report["volunteers"], report["activities"], report["hours"]
    overview = [("组织", report["organisation"]["name"]), ("统计范围内组织数", report["organisations_in_scope"]),
                ("统计期间", f"{report['period']['start']} 至 {report['period']['end']}"),
                ("数据截至", report["as_of"] or ""), ("注册志愿者", v["registered"]), ("审核通过", v["approved"]),
                ("持证志愿者", v["with_card"]), ("持证率", v["card_rate"]), ("期间新注册", v["registered_in_period"]),
                ("期间活跃志愿者", v["active_in_period"]), ("期间发布活动", a["published"]),
                ("期间开展活动", a["held"]),
                ("期间服务时长（小时）", h["total_hours"]), ("期间服务记录", h["records"])]
    mimetype, extension, chunks = tables.file_of("xlsx", [
        ("概览", ("项目", "数值"), overview),
        ("按月", ("月份", "服务时长（分钟）", "服务记录", "新注册志愿者"),
         [(m["month"], m["minutes"], m["records"], m["volunteers_registered"]) for m in h["by_month"]]),
        ("按服务类别", ("服务类别", "服务时长（分钟）"), [(c["label"], c["minutes"]) for c in h["by_category"]]),
        ("组织排行", ("组织", "服务时长（分钟）"), [(t["name"], t["minutes"]) for t in report["top_organisations"]])])
    return exports.ExportFile(f"report-{org_id}-{report['period']['start']}-{report['period']['end']}.{extension}",
                              mimetype, chunks)


def run_report_workload(org_id, start=None, end=None):
    """For scripts/bench on the large data set, inside an app context: the seconds taken by a full
    rollup refresh, one report of org_id as the platform admin sees it, and the organisation's
    hours export by volunteer (CSV, drained); and how many bytes that export made."""
    admin = _PlatformAdmin()
    timings = {}
    began = time.perf_counter()
    refresh_rollups()
    timings["refresh_s"] = time.perf_counter() - began
    began = time.perf_counter()
    organisation_report(admin, org_id, start, end)
    timings["report_s"] = time.perf_counter() - began
    began = time.perf_counter()
    org = authz.require_org(admin, org_id)
    size = sum(len(chunk) for chunk in tables.csv_chunks(exports.BY_VOLUNTEER_HEADERS,
                                                         exports.hours_by_volunteer(admin, org, start, end)))
    timings["export_s"], timings["export_bytes"] = time.perf_counter() - began, size
    return timings


class _PlatformAdmin:
    """Who the benchmark acts as: sees everything, leaves no audit row."""
    id = None
    is_platform_admin = True
