"""Activity search on MariaDB with 100 000 activities: typical searches timed with the search
indexes of app/models/activity.py and again after dropping them, with MariaDB's plan (EXPLAIN).

    scripts/bench search        (BENCH_DATABASE_URL: a MySQL/MariaDB server URL; default
                                 mysql+pymysql://root@127.0.0.1/ — a fresh database is created
                                 for the run and dropped afterwards)

The queries are exactly the ones GET /api/v1/activities runs (app.services.activity_search):
the page of 20 and its COUNT(*).
"""
import os
import random
import statistics
import time
import uuid
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.engine import make_url

from scripts.scratch import scratch_database

N_ACTIVITIES = int(os.environ.get("BENCH_ACTIVITIES", "100000"))
RUNS = 7
# Ours (migration activities_1) are measured first; then the two the skeleton had (0001_initial);
# then none at all (primary key and the org_id foreign-key index only).
OUR_INDEXES = ("ix_activities_start", "ix_activities_end", "ix_activities_region_start",
               "ix_activities_family_start")
SKELETON_INDEXES = {"ix_activities_search": "revoked_at, start_at",
                    "ix_activities_region_start": "region_code, start_at"}
WORDS = ["社区", "图书馆", "敬老", "环保", "清洁", "垃圾分类", "交通", "文明", "导览", "助学", "义诊", "关爱",
         "探访", "宣传", "赛事", "马拉松", "亲子", "阅读", "湿地", "公园"]


def load(engine, org_id, now):
    """100 000 activities over four years (three past, one ahead), as a live platform has."""
    from app.domain.regions import REGIONS

    districts = [c for c in REGIONS if not c.endswith("00")] + [c for c in REGIONS if c.endswith("00")][1:]
    rng = random.Random(2026)
    rows = []
    for i in range(N_ACTIVITIES):
        start = now + timedelta(minutes=rng.randint(-3 * 365 * 24 * 60, 365 * 24 * 60))
        start = start.replace(second=0, microsecond=0)
        hours = rng.choice([2, 3, 4, 4, 6, 8, 24, 72])
        enroll_end = start - timedelta(hours=rng.choice([0, 12, 24, 72]))
        enroll_start = enroll_end - timedelta(days=rng.randint(1, 20))
        rows.append({
            "org_id": org_id, "title": f"{rng.choice(WORDS)}{rng.choice(WORDS)}志愿活动{i}",
            "region_code": rng.choice(districts), "address": f"{rng.choice(WORDS)}路{i % 500}号",
            "radius_m": 500, "require_location": False,
            "enroll_start": enroll_start, "enroll_end": enroll_end,
            "start_at": start, "end_at": start + timedelta(hours=hours), "quota": rng.randint(5, 200),
            "taken_count": 0, "is_family": rng.random() < 0.05,
            "revoked_at": now - timedelta(days=1) if rng.random() < 0.03 else None,
            "created_at": now, "updated_at": now,
        })
    columns = list(rows[0])
    placeholders = ", ".join(":" + c for c in columns)
    sql = text(f"INSERT INTO activities ({', '.join(columns)}) VALUES ({placeholders})")
    with engine.begin() as conn:
        for chunk in range(0, len(rows), 5000):
            conn.execute(sql, rows[chunk:chunk + 5000])
        conn.execute(text("ANALYZE TABLE activities"))


def cases(now):
    week = now + timedelta(days=7)
    return [
        ("no filter (every activity, soonest start first)", {}),
        ("state=open 马上报名", {"state": "open"}),
        ("state=not_open 报名未开始", {"state": "not_open"}),
        ("state=closed 报名结束", {"state": "closed"}),
        ("state=in_progress 执行中", {"state": "in_progress"}),
        ("state=ended 已结束", {"state": "ended"}),
        ("region=440100 (广州市, all districts)", {"region": "440100"}),
        ("region=440104 & state=open", {"region": "440104", "state": "open"}),
        ("family=1 亲子体验", {"family": True}),
        ("family=1 & state=open", {"family": True, "state": "open"}),
        ("start_from..start_to (next 7 days)", {"start_from": now, "start_to": week}),
        ("keyword=图书馆 (title or address)", {"keyword": "图书馆"}),
        ("keyword=图书馆 & state=open", {"keyword": "图书馆", "state": "open"}),
        ("no filter, page 200", {"page": 200}),
    ]


def timed(func):
    samples = []
    result = None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def plan(conn, query):
    """The index MariaDB picks for the page query, and its row estimate."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    rows = conn.execute(text(f"EXPLAIN {compiled}")).mappings().all()
    first = rows[0]
    return f"{first['key'] or 'none (full scan)'}, ~{first['rows']} rows" + (
        ", filesort" if "filesort" in (first.get("Extra") or "") else "")


def measure(app, now):
    from app.extensions import db
    from app.services.activity_search import page_query, search_activities

    results = {}
    with app.app_context():
        for name, filters in cases(now):
            filters = dict(filters)
            page = filters.pop("page", 1)
            ms, (items, total) = timed(lambda f=filters, p=page: search_activities(now=now, page=p, **f))
            query = page_query(now=now, page=page, **filters)
            with db.engine.connect() as conn:
                results[name] = (ms, total, plan(conn, query))
            db.session.rollback()
    return results


def main():
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import Organisation
    from app.timeutil import utcnow

    base = make_url(os.environ.get("BENCH_DATABASE_URL", "mysql+pymysql://root@127.0.0.1/"))
    if not base.drivername.startswith("mysql"):
        raise SystemExit("bench_search measures MariaDB/MySQL: set BENCH_DATABASE_URL=mysql+pymysql://…")
    name = f"bench_search_{uuid.uuid4().hex[:8]}"
    keep = bool(os.environ.get("BENCH_KEEP"))
    with scratch_database(base, name, keep=keep) as url:
        app = create_app({"APP_ENV": "testing", "DATABASE_URL": url,
                          "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
                          "REDIS_PREFIX": f"{name}:"})
        now = utcnow().replace(microsecond=0)
        with app.app_context():
            upgrade()
            org = Organisation(name="基准组织", category="team", path="/", status="approved")
            db.session.add(org)
            db.session.commit()
            started = time.perf_counter()
            load(db.engine, org.id, now)
            loaded = time.perf_counter() - started
            version = db.session.execute(text("SELECT VERSION()")).scalar_one()
            db.session.rollback()
        print(f"{N_ACTIVITIES} activities loaded in {loaded:.1f} s into {version}; median of {RUNS} runs, "
              "page of 20 + COUNT(*)\n")
        ours = measure(app, now)
        if keep:
            for case, (ms, total, how) in ours.items():
                print(f"{case}: {ms:.1f} ms, {total}, {how}")
            print(f"kept database {name}")
            return

        def ddl(*statements):
            with app.app_context(), db.engine.begin() as conn:
                for statement in statements:
                    conn.execute(text(statement))
                conn.execute(text("ANALYZE TABLE activities"))

        from app.services import activity_search

        activity_search.IN_PROGRESS_INDEX_HINT = None  # they name our indexes
        activity_search.START_ORDER_INDEX_HINT = None
        ddl(*[f"DROP INDEX {index} ON activities" for index in OUR_INDEXES],
            *[f"CREATE INDEX {index} ON activities ({cols})" for index, cols in SKELETON_INDEXES.items()])
        skeleton = measure(app, now)
        ddl(*[f"DROP INDEX {index} ON activities" for index in SKELETON_INDEXES])
        bare = measure(app, now)
        print("| search | matches | ours ms | plan (page) | skeleton's indexes ms | plan "
              "| no search index ms |")
        print("|---|---:|---:|---|---:|---|---:|")
        for case, _ in cases(now):
            ms, total, how = ours[case]
            ms2, total2, how2 = skeleton[case]
            ms3, total3, _ = bare[case]
            assert total == total2 == total3
            print(f"| {case} | {total} | {ms:.1f} | {how} | {ms2:.1f} | {how2} | {ms3:.1f} |")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
