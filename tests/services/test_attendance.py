"""The clock service: each refusal with its code, sessions across a day and across days,
minutes and totals, and exactly-once recording under repeated and parallel scans."""
import threading
from datetime import datetime, timedelta

import pytest

from app.errors import DomainError
from app.extensions import db
from app.models import AuditLog, ClockEvent, Organisation, ServiceRecord, Volunteer
from app.services import clock_codes, clocking, face_check
from app.timeutil import SHANGHAI, from_aware, utcnow

VENUE = (23.1235, 113.2950)


class Site:
    def __init__(self, factories, **activity_fields):
        self.factories = factories
        self.org = factories.org()
        self.admin = factories.admin(self.org)
        fields = {"starts_in": -timedelta(hours=1), "hours": 4, "enroll_open": False}
        fields.update(activity_fields)
        self.activity = factories.activity(self.org, **fields)

    def volunteer(self, face_checked=True, status="admitted"):
        volunteer = self.factories.volunteer(self.org, face_checked=face_checked)
        if status:
            self.factories.enroll(self.activity, volunteer, status=status)
        return volunteer

    def code(self, kind, now=None, activity=None):
        return clock_codes.issue_clock_code(self.admin, (activity or self.activity).id, kind, now=now)["code"]


@pytest.fixture
def site(factories):
    return Site(factories)


def refused(code, func, *args, **kwargs):
    with pytest.raises(DomainError) as info:
        func(*args, **kwargs)
    assert info.value.code == code, info.value
    return info.value


def test_checkin_then_checkout_records_minutes_and_totals(site):
    volunteer = site.volunteer()
    now = utcnow()
    first = clocking.scan(volunteer.account_id, site.code("checkin", now), "miniprogram", *VENUE, now=now)
    assert first["kind"] == "checkin" and first["activity_id"] == site.activity.id and "minutes" not in first
    later = now + timedelta(minutes=95, seconds=30)
    out = clocking.scan(volunteer.account_id, site.code("checkout", later), "miniprogram", *VENUE, now=later)
    assert out["kind"] == "checkout" and out["minutes"] == 95
    record = db.session.execute(db.select(ServiceRecord)).scalar_one()
    assert (record.minutes, record.status, record.source) == (95, "effective", "clock")
    assert record.public_until - record.recorded_at == timedelta(days=365)
    assert db.session.get(Volunteer, volunteer.id).total_minutes == 95
    assert db.session.get(Organisation, site.org.id).total_minutes == 95


def test_each_refusal_has_its_own_code(site, factories):
    now = utcnow()
    ok = site.volunteer()
    code = site.code("checkin", now)
    refused("CLOCK_CODE_INVALID", clocking.scan, ok.account_id, code[:-2] + "AA", "miniprogram", now=now)
    refused("CLOCK_CODE_INVALID", clocking.scan, ok.account_id, "not a code", "miniprogram", now=now)
    refused("CLOCK_CODE_EXPIRED", clocking.scan, ok.account_id, code, "miniprogram",
            now=now + timedelta(seconds=121))
    refused("CLOCK_NOT_ADMITTED", clocking.scan, site.volunteer(status="pending").account_id, code,
            "miniprogram", now=now)
    refused("CLOCK_NOT_ADMITTED", clocking.scan, site.volunteer(status=None).account_id, code,
            "miniprogram", now=now)
    refused("CLOCK_NOT_FACE_CHECKED", clocking.scan, site.volunteer(face_checked=False).account_id, code,
            "miniprogram", now=now)
    refused("CLOCK_TOO_FAR", clocking.scan, ok.account_id, code, "miniprogram",
            latitude=VENUE[0] + 0.006, longitude=VENUE[1], now=now)  # ≈ 670 m north
    refused("CHECKOUT_WITHOUT_CHECKIN", clocking.scan, ok.account_id, site.code("checkout", now),
            "miniprogram", now=now)
    admin_only = factories.admin(site.org)
    refused("CLOCK_NOT_A_VOLUNTEER", clocking.scan, admin_only.id, code, "miniprogram", now=now)
    # Within 500 m is fine.
    result = clocking.scan(ok.account_id, code, "miniprogram", latitude=VENUE[0] + 0.004,
                             longitude=VENUE[1], now=now)
    assert result["kind"] == "checkin"
    assert db.session.execute(db.select(db.func.count(ClockEvent.id))).scalar_one() == 1


def test_location_required_and_outside_activity_time(factories):
    site = Site(factories, require_location=True)
    volunteer = site.volunteer()
    now = utcnow()
    code = site.code("checkin", now)
    refused("CLOCK_LOCATION_REQUIRED", clocking.scan, volunteer.account_id, code, "mp_scan", now=now)
    assert clocking.scan(volunteer.account_id, code, "miniprogram", *VENUE, now=now)["kind"] == "checkin"
    # A code scanned after the activity ended (still within its two minutes) is refused.
    end = site.activity.end_at
    late_code = site.code("checkin", end - timedelta(seconds=30))
    other = site.volunteer()
    refused("CLOCK_OUTSIDE_ACTIVITY_TIME", clocking.scan, other.account_id, late_code, "miniprogram",
            *VENUE, now=end + timedelta(seconds=30))


def test_codes_are_issued_only_while_the_activity_runs_and_only_for_own_activities(site, factories):
    start, end = site.activity.start_at, site.activity.end_at
    refused("CLOCK_CODE_NOT_YET", site.code, "checkin", start - timedelta(seconds=1))
    refused("CLOCK_CODE_NOT_YET", site.code, "checkin", end + timedelta(seconds=1))
    assert site.code("checkout", end + timedelta(minutes=30))  # check-out grace
    refused("CLOCK_CODE_NOT_YET", site.code, "checkout", end + timedelta(minutes=61))
    stranger = factories.admin(factories.org())
    refused("NOT_FOUND", clock_codes.issue_clock_code, stranger, site.activity.id, "checkin")
    assert db.session.execute(db.select(AuditLog).filter_by(action="activity.clock_code")).first()
    # A revoked activity: no new codes, and a code issued before is refused.
    volunteer = site.volunteer()
    code = site.code("checkin")
    site.activity.revoked_at = utcnow()
    db.session.commit()
    refused("ACTIVITY_REVOKED", site.code, "checkin")
    refused("ACTIVITY_REVOKED", clocking.scan, volunteer.account_id, code, "miniprogram")


def test_repeated_scans_return_the_first_result_and_record_nothing_new(site):
    volunteer = site.volunteer()
    now = utcnow()
    code = site.code("checkin", now)
    first = clocking.scan(volunteer.account_id, code, "miniprogram", *VENUE, now=now)
    # The same code again (a double tap, WeChat's retried event), even after it expired.
    assert clocking.scan(volunteer.account_id, code, "mp_scan", *VENUE, now=now + timedelta(seconds=5)) == first
    assert clocking.scan(volunteer.account_id, code, "mp_scan", *VENUE, now=now + timedelta(minutes=10)) == first
    # A newer check-in code while checked in: still the first check-in.
    later = now + timedelta(minutes=3)
    assert clocking.scan(volunteer.account_id, site.code("checkin", later), "h5", *VENUE, now=later) == first
    out_at = now + timedelta(minutes=30)
    out_code = site.code("checkout", out_at)
    out = clocking.scan(volunteer.account_id, out_code, "miniprogram", *VENUE, now=out_at)
    assert out["minutes"] == 30
    assert clocking.scan(volunteer.account_id, out_code, "miniprogram", *VENUE,
                         now=out_at + timedelta(minutes=1)) == out
    # Scanning the first check-in code again after checking out is still the same scan.
    assert clocking.scan(volunteer.account_id, code, "miniprogram", *VENUE, now=out_at + timedelta(seconds=30)) == first
    assert db.session.execute(db.select(db.func.count(ClockEvent.id))).scalar_one() == 2
    assert db.session.execute(db.select(db.func.count(ServiceRecord.id))).scalar_one() == 1
    assert db.session.get(Volunteer, volunteer.id).total_minutes == 30


def test_three_sessions_a_day_then_refused_and_zero_minute_checkout(site):
    volunteer = site.volunteer()
    t = site.activity.start_at + timedelta(minutes=5)
    total = 0
    for session in range(3):
        clocking.scan(volunteer.account_id, site.code("checkin", t), "miniprogram", *VENUE, now=t)
        if session == 1:
            out = clocking.scan(volunteer.account_id, site.code("checkout", t), "miniprogram", *VENUE, now=t)
            assert out["minutes"] == 0  # check-out right away: 0 minutes, still a session
        else:
            t += timedelta(minutes=20)
            out = clocking.scan(volunteer.account_id, site.code("checkout", t), "miniprogram", *VENUE, now=t)
            assert out["minutes"] == 20
            total += 20
        t += timedelta(minutes=5)
    refused("CLOCK_DAILY_LIMIT", clocking.scan, volunteer.account_id, site.code("checkin", t), "miniprogram",
            *VENUE, now=t)
    assert db.session.get(Volunteer, volunteer.id).total_minutes == total == 40
    assert db.session.execute(db.select(db.func.count(ServiceRecord.id))).scalar_one() == 3


def test_multi_day_activity_sessions_per_local_day_and_minutes_clipped(factories):
    # Three days, 09:00 on day one to 17:00 on day three (Shanghai).
    day1 = (datetime.now(SHANGHAI) - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    site = Site(factories)
    site.activity.start_at = from_aware(day1)
    site.activity.end_at = from_aware(day1 + timedelta(days=2, hours=8))
    db.session.commit()
    volunteer = site.volunteer()

    def at(day, hour, minute=0):
        return from_aware(day1.replace(hour=hour, minute=minute) + timedelta(days=day))

    # Day one: checked in before 09:00 is impossible (window), so 09:00 → 12:00 = 180 min.
    clocking.scan(volunteer.account_id, site.code("checkin", at(0, 9)), "miniprogram", *VENUE, now=at(0, 9))
    assert clocking.scan(volunteer.account_id, site.code("checkout", at(0, 12)), "miniprogram",
                           *VENUE, now=at(0, 12))["minutes"] == 180
    # Day one again in the evening, no check-out that day.
    clocking.scan(volunteer.account_id, site.code("checkin", at(0, 20)), "miniprogram", *VENUE, now=at(0, 20))
    # Day two: a check-out alone does not close yesterday's session.
    refused("CHECKOUT_WITHOUT_CHECKIN", clocking.scan, volunteer.account_id, site.code("checkout", at(1, 9)),
            "miniprogram", *VENUE, now=at(1, 9))
    clocking.scan(volunteer.account_id, site.code("checkin", at(1, 10)), "miniprogram", *VENUE, now=at(1, 10))
    assert clocking.scan(volunteer.account_id, site.code("checkout", at(1, 11, 30)), "miniprogram",
                           *VENUE, now=at(1, 11, 30))["minutes"] == 90
    # Day three: leaves 40 minutes after the end; only the time up to 17:00 counts.
    clocking.scan(volunteer.account_id, site.code("checkin", at(2, 16)), "miniprogram", *VENUE, now=at(2, 16))
    assert clocking.scan(volunteer.account_id, site.code("checkout", at(2, 17, 40)), "miniprogram",
                           *VENUE, now=at(2, 17, 40))["minutes"] == 60
    days = db.session.execute(db.select(ServiceRecord.service_day).order_by(ServiceRecord.id)).scalars().all()
    assert [d.isoformat() for d in days] == [(day1 + timedelta(days=n)).date().isoformat() for n in (0, 1, 2)]
    assert db.session.get(Volunteer, volunteer.id).total_minutes == 330


def test_face_check_once_for_good_scoped_and_audited(site, factories):
    volunteer = site.volunteer(face_checked=False, status="pending")
    checked = face_check.mark_checked(site.admin, volunteer.id, site.activity.id)
    assert checked.face_checked_at is not None and checked.face_checked_by == site.admin.id
    assert checked.face_checked_activity_id == site.activity.id
    refused("FACE_CHECK_DONE", face_check.mark_checked, site.admin, volunteer.id, site.activity.id)
    stranger_admin = factories.admin(factories.org())
    refused("NOT_FOUND", face_check.mark_checked, stranger_admin, site.volunteer(face_checked=False).id,
            site.activity.id)
    refused("VOLUNTEER_NOT_ENROLLED", face_check.mark_checked, site.admin,
            site.volunteer(face_checked=False, status=None).id, site.activity.id)
    audits = db.session.execute(db.select(AuditLog).filter_by(action="volunteer.face_check")).scalars().all()
    assert [(a.actor_account_id, a.target_id) for a in audits] == [(site.admin.id, str(volunteer.id))]


def test_admin_scans_a_personal_code_in_and_out(site):
    volunteer = site.volunteer()
    now = utcnow()
    code = clock_codes.personal_code(volunteer.account, now=now)["code"]
    first = clocking.scan_volunteer(site.admin, site.activity.id, code, now=now)
    assert first["kind"] == "checkin"
    assert clocking.scan_volunteer(site.admin, site.activity.id, code, now=now) == first  # same code again
    later = now + timedelta(minutes=50)
    out = clocking.scan_volunteer(site.admin, site.activity.id,
                                    clock_codes.personal_code(volunteer.account, now=later)["code"], now=later)
    assert (out["kind"], out["minutes"]) == ("checkout", 50)
    # A screenshot of the code a minute later is stale.
    refused("CLOCK_CODE_EXPIRED", clocking.scan_volunteer, site.admin, site.activity.id, code,
            now=now + timedelta(seconds=95))
    refused("CLOCK_NOT_FACE_CHECKED", clocking.scan_volunteer, site.admin, site.activity.id,
            clock_codes.personal_code(site.volunteer(face_checked=False).account, now=now)["code"], now=now)
    assert db.session.get(Volunteer, volunteer.id).total_minutes == 50


def test_parallel_identical_scans_record_exactly_once(app, site):
    """The same scans arriving many times at once: one check-in, one check-out, one record."""
    volunteer = site.volunteer()
    account_id = volunteer.account_id
    now = utcnow()
    checkin_code, checkout_code = site.code("checkin", now), site.code("checkout", now + timedelta(minutes=15))
    outcomes = []

    def burst(code, at, n=12):
        barrier = threading.Barrier(n)
        results = []

        def one():
            with app.app_context():
                barrier.wait()
                try:
                    results.append(clocking.scan(account_id, code, "mp_scan", *VENUE, now=at))
                except DomainError as exc:
                    results.append(exc.code)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=one) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    outcomes = burst(checkin_code, now)
    assert len(outcomes) == 12 and all(o == outcomes[0] for o in outcomes), outcomes
    outcomes = burst(checkout_code, now + timedelta(minutes=15))
    assert all(o == outcomes[0] for o in outcomes), outcomes
    assert outcomes[0]["minutes"] == 15
    db.session.rollback()  # a fresh snapshot (MariaDB's REPEATABLE READ) to see the threads' commits
    assert db.session.execute(db.select(db.func.count(ClockEvent.id))).scalar_one() == 2
    assert db.session.execute(db.select(db.func.count(ServiceRecord.id))).scalar_one() == 1
    assert db.session.get(Volunteer, volunteer.id).total_minutes == 15
    assert db.session.get(Organisation, site.org.id).total_minutes == 15
