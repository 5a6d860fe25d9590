"""Two instances of the service (two gunicorn masters on ports of their own, as two hosts run them)
and two job workers over one MariaDB and one Redis, behind a round-robin played by the test.

- a WeChat retry that lands on the other instance is answered identically and takes effect once;
- one clock code scanned at both instances at the same moment is recorded once;
- the access token is fetched once for both instances and both workers;
- enrollment for the last places through both instances never overbooks;
- the outbox sweeper runs on one worker at a time, with both alive;
- SIGKILL of one instance and one worker mid-load loses no clock event, record or message;
- a rolling restart (SIGTERM: drain, then stop) of one instance under load loses no request.

Each scenario prints its figures (the README's "Several hosts" table).
"""
import json
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import requests

from app.extensions import db
from app.models import Activity, ClockEvent, Enrollment, OutboxMessage
from app.services import wechat_identity
from scripts.wechat_play import WechatPeer
from tests.activity_helpers import bearer, bind_mp
from tests.hosts.cluster import Instance, RoundRobin, env_of_app, metric, run_load, scrape, wait_for, worker

pytestmark = pytest.mark.hosts


@pytest.fixture(scope="module")
def cluster(app, emulator, tmp_path_factory):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("mysql"):
        pytest.skip("several hosts share one MariaDB: runs with TEST_DATABASE_URL")
    logs = tmp_path_factory.mktemp("cluster")
    env = env_of_app(app, emulator, DRAIN_SECONDS="1.5", GRACEFUL_TIMEOUT="20")
    a, b = Instance("web-a", env, logs), Instance("web-b", env, logs)
    # Each worker writes its metrics beside its host's web processes (one scrape shows both).
    w1 = worker("worker-1", {**env, "PROMETHEUS_MULTIPROC_DIR": a.env["PROMETHEUS_MULTIPROC_DIR"]}, logs)
    w2 = worker("worker-2", {**env, "PROMETHEUS_MULTIPROC_DIR": b.env["PROMETHEUS_MULTIPROC_DIR"]}, logs)
    processes = [a, b, w1, w2]
    try:
        for p in processes:
            p.start()
        a.wait_healthy()
        b.wait_healthy()
        yield {"a": a, "b": b, "w1": w1, "w2": w2}
    finally:
        for p in processes:
            p.terminate(timeout=30)


def in_progress(factories, count, quota=None, bound=False):
    """An activity under way with `count` admitted, face-checked volunteers near the venue."""
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org, starts_in=-timedelta(minutes=30), hours=4, quota=quota or count + 5)
    volunteers = []
    for _ in range(count):
        volunteer = factories.volunteer(org, face_checked=True)
        factories.enroll(activity, volunteer, status="admitted")
        if bound:
            bind_mp(volunteer)
        volunteers.append(volunteer)
    return admin, activity, volunteers


def clock_code(client, admin, activity, kind="checkin"):
    response = client.post(f"/api/v1/admin/activities/{activity.id}/qrcode", json={"kind": kind},
                           headers=bearer(admin))
    assert response.status_code in (200, 201), response.json
    return response.json["code"]


def scan_body(code, activity):
    return {"code": code, "latitude": activity.latitude, "longitude": activity.longitude}


def events_by_volunteer(activity):
    db.session.rollback()
    rows = db.session.execute(db.select(ClockEvent.volunteer_id, ClockEvent.kind)
                              .where(ClockEvent.activity_id == activity.id)).all()
    return Counter(volunteer_id for volunteer_id, kind in rows if kind == "checkin")


def post_callback(base, peer, message, nonce):
    query, body = peer.envelope(message, nonce=nonce)
    return requests.post(base + "/wechat/callback", params=query, data=body, timeout=10,
                         headers={"Content-Type": "text/xml"})


def at_once(*calls):
    """Run the calls at the same moment (a barrier), → their results in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i):
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # judged by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_wechat_retry_on_the_other_instance_is_answered_identically_and_takes_effect_once(
        cluster, app, client, factories):
    a, b = cluster["a"], cluster["b"]
    admin, activity, volunteers = in_progress(factories, 2)
    code = clock_code(client, admin, activity)
    peer = WechatPeer(app.config["WECHAT_TOKEN"], app.config["WECHAT_APPID"])
    for user, volunteer in zip(("han", "ivy"), volunteers, strict=True):
        wechat_identity.bind("mp", peer.openid(user), volunteer.account_id)
        wechat_identity.record_subscription(peer.openid(user), True)
        where = peer.event(user, "LOCATION", Latitude=str(activity.latitude), Longitude=str(activity.longitude),
                           Precision="20")
        assert post_callback(a.base, peer, where, nonce=f"loc-{user}").status_code == 200

    # WeChat got no answer in time from A and retries; the retry lands on B.
    scan = peer.event("han", "SCAN", EventKey=code, Ticket="t")
    first = post_callback(a.base, peer, scan, nonce="n-1")
    retry = post_callback(b.base, peer, scan, nonce="n-2")
    assert first.status_code == retry.status_code == 200
    assert peer.read_reply(first.content)["Content"].startswith("签到成功")
    assert retry.content == first.content  # the very same reply, byte for byte
    # And a message delivered to both at the same moment.
    scan = peer.event("ivy", "SCAN", EventKey=code, Ticket="t")
    both = at_once(lambda: post_callback(a.base, peer, scan, nonce="p-1"),
                   lambda: post_callback(b.base, peer, scan, nonce="p-2"))
    assert [r.status_code for r in both] == [200, 200]
    assert both[0].content == both[1].content
    assert peer.read_reply(both[0].content)["Content"].startswith("签到成功")
    assert events_by_volunteer(activity) == {v.id: 1 for v in volunteers}


def test_one_clock_code_scanned_at_both_instances_at_once_is_recorded_once(cluster, client, factories):
    a, b = cluster["a"], cluster["b"]
    before = [metric(scrape(i.base), "izyz_clock_ins_total", outcome="checkin") for i in (a, b)]
    admin, activity, volunteers = in_progress(factories, 16)
    code = clock_code(client, admin, activity)
    body, headers = scan_body(code, activity), [bearer(v) for v in volunteers]

    def both(n):
        return at_once(*(lambda base=i.base: requests.post(base + "/api/v1/attendance/scan", timeout=15,
                                                           json=body, headers=headers[n]) for i in (a, b)))

    answers = run_load(len(volunteers), both, threads=4)
    for pair in answers.values():
        assert [r.status_code for r in pair] == [200, 200], [r.text for r in pair]
        assert pair[0].json() == pair[1].json()
    assert events_by_volunteer(activity) == {v.id: 1 for v in volunteers}
    # /metrics counts every gunicorn worker of each instance: the two instances saw all 32 scans.
    after = [metric(scrape(i.base), "izyz_clock_ins_total", outcome="checkin") for i in (a, b)]
    assert sum(after) - sum(before) == 2 * len(volunteers)


def test_the_access_token_is_fetched_once_for_both_instances_and_both_workers(
        cluster, client, factories, emulator):
    a, b = cluster["a"], cluster["b"]
    before = sum(metric(scrape(i.base), "izyz_wechat_token_refreshes_total", token="access_token") for i in (a, b))
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org, quota=20)
    volunteers = [factories.volunteer(org) for _ in range(12)]
    for v in volunteers:
        bind_mp(v)
        factories.enroll(activity, v, status="pending")
    headers = bearer(admin)
    # Both instances admit at once (their workers then send 12 template messages), and both ask
    # WeChat for service-account QR codes, all with no token in Redis yet.
    ids, base_path = [v.id for v in volunteers], f"/api/v1/admin/activities/{activity.id}"
    calls = [lambda base=i.base, half=h: requests.post(f"{base}{base_path}/admissions", json={"volunteer_ids": half},
                                                      headers=headers, timeout=15)
             for i, h in zip((a, b), (ids[:6], ids[6:]), strict=True)]
    calls += [lambda base=i.base: requests.post(f"{base}{base_path}/qrcode", headers=headers, timeout=15,
                                                json={"kind": "checkin", "surface": "mp_qrcode"}) for i in (a, b, a, b)]
    answers = at_once(*calls)
    assert [r.status_code for r in answers[:2]] == [200, 200], [r.text for r in answers]
    wait_for(lambda: sum(1 for m in emulator.state.sent if m["channel"] == "template") == 12, 30,
             "12 template messages")
    fetches = [f for f in emulator.state.token_fetches if f["appid"] == client.application.config["WECHAT_APPID"]]
    assert len(fetches) == 1, fetches
    after = sum(metric(scrape(i.base), "izyz_wechat_token_refreshes_total", token="access_token") for i in (a, b))
    assert after - before == 1


def test_every_process_logs_json_lines_with_request_ids_carried_into_jobs_and_no_personal_data(
        cluster, app, factories, emulator):
    a = cluster["a"]
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org)
    volunteers = [factories.volunteer(org) for _ in range(3)]
    for v in volunteers:
        bind_mp(v)
        factories.enroll(activity, v, status="pending")
    headers = bearer(admin)
    personal = [value for v in volunteers for value in (v.account.phone, v.account.id_number, v.account.real_name)]
    secrets = [headers["Authorization"].split()[1], app.config["SECRET_KEY"], app.config["WECHAT_SECRET"]]
    response = requests.post(f"{a.base}/api/v1/admin/activities/{activity.id}/admissions", headers=headers,
                             json={"volunteer_ids": [v.id for v in volunteers]}, timeout=15)
    assert response.status_code == 200
    request_id = response.headers["X-Request-Id"]
    wait_for(lambda: len(emulator.state.sent) == 6, 30, "3 template messages and 3 SMS")
    time.sleep(0.5)
    processes = [cluster[name] for name in ("a", "b", "w1", "w2")]
    for process in processes:
        for line in filter(None, process.log_path.read_text().splitlines()):
            json.loads(line)  # every line is one JSON object
    access = [r for r in a.log_records() if r["logger"] == "gunicorn.access" and r["request_id"] == request_id]
    assert [(r["method"], r["route"], r["status"]) for r in access] == [
        ("POST", "/api/v1/admin/activities/<int:activity_id>/admissions", 200)]
    # The worker that sent the messages logged under the id of the request that queued them.
    assert [r for w in ("w1", "w2") for r in cluster[w].log_records() if r["request_id"] == request_id]
    everything = "".join(p.log_path.read_text() for p in processes)
    for value in personal + secrets:
        assert value not in everything


def test_enrollment_for_the_last_places_through_both_instances_never_overbooks(cluster, factories):
    a, b = cluster["a"], cluster["b"]
    org = factories.org()
    activity = factories.activity(org, quota=5)
    volunteers = [factories.volunteer(org) for _ in range(30)]
    headers, path = [bearer(v) for v in volunteers], f"/api/v1/activities/{activity.id}/enrollment"
    lb = RoundRobin([a, b])
    try:
        answers = run_load(len(volunteers), lambda n: lb.request("POST", path, json={}, headers=headers[n]),
                           threads=10)
    finally:
        lb.close()
    statuses = Counter(r.status_code for r in answers.values())
    assert statuses[200] + statuses[201] == 5, statuses
    assert {r.json()["error"]["code"] for r in answers.values() if r.status_code >= 400} == {"QUOTA_FULL"}
    db.session.rollback()
    assert db.session.get(Activity, activity.id).taken_count == 5
    assert db.session.execute(db.select(db.func.count()).select_from(Enrollment)
                              .filter_by(activity_id=activity.id)).scalar_one() == 5
    assert {base for base, *_ in lb.attempts} == {a.base, b.base}


def test_the_outbox_sweeper_runs_on_one_worker_at_a_time(cluster):
    w1, w2 = cluster["w1"], cluster["w2"]
    since = time.time()
    time.sleep(6)
    assert w1.alive() and w2.alive()
    sweeps = sorted((r["sweep_started"], r["sweep_ended"], name)
                    for name, p in (("w1", w1), ("w2", w2)) for r in p.log_records()
                    if r.get("message") == "outbox sweep" and r["sweep_started"] >= since)
    # OUTBOX_SWEEP_SECONDS=1: about one sweep a second in all, never two at once, never two in a second.
    assert 3 <= len(sweeps) <= 7, sweeps
    for (start, end, _), (next_start, _, _) in zip(sweeps, sweeps[1:], strict=False):
        assert next_start >= end
        assert next_start - start >= 0.95
    print(f"\nsweeps in 6 s with both workers alive: {len(sweeps)}, by "
          f"{dict(Counter(name for *_, name in sweeps))}")


def test_sigkill_of_one_instance_and_one_worker_mid_load_loses_nothing(cluster, client, factories, emulator):
    a, b, w1 = cluster["a"], cluster["b"], cluster["w1"]
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org, starts_in=-timedelta(minutes=30), hours=4, quota=60)
    volunteers = []
    for _ in range(40):
        volunteer = factories.volunteer(org, face_checked=True)
        bind_mp(volunteer)
        factories.enroll(activity, volunteer, status="pending")
        volunteers.append(volunteer)
    body = scan_body(clock_code(client, admin, activity), activity)
    admin_headers, headers = bearer(admin), [bearer(v) for v in volunteers]
    ids = [v.id for v in volunteers]
    # A slow template send now and then, so that the killed worker dies holding leased rows.
    for _ in range(6):
        requests.post(emulator.url + "/__emulator__/fail", json={"api": "template_send", "status": 503, "delay": 0.5},
                      timeout=5)
    lb = RoundRobin([a, b], retry_lost=True)
    done = []

    activity_id = activity.id

    def admit_then_scan(n):
        admitted = lb.request("POST", f"/api/v1/admin/activities/{activity_id}/admissions",
                              json={"volunteer_ids": [ids[n]]}, headers=admin_headers)
        scanned = lb.request("POST", "/api/v1/attendance/scan", json=body, headers=headers[n])
        done.append(n)
        return admitted, scanned

    def kill_midway():
        wait_for(lambda: len(done) >= 10, 60, "a quarter of the load")
        b.kill()
        w1.kill()
        killed_at.append(time.time())

    killed_at = []
    killer = threading.Thread(target=kill_midway)
    killer.start()
    started = time.time()
    try:
        results = run_load(len(volunteers), admit_then_scan, threads=6)
    finally:
        killer.join()
        lb.close()
    load_seconds = time.time() - started
    failures = [r for r in results.values() if isinstance(r, Exception)]
    assert not failures, failures[:3]
    for admitted, scanned in results.values():
        assert admitted.status_code == 200, admitted.text
        assert scanned.status_code == 200, scanned.text
    # Every clock event and record is there, once.
    assert events_by_volunteer(activity) == {v.id: 1 for v in volunteers}
    db.session.rollback()
    assert Counter(db.session.execute(db.select(Enrollment.status).filter_by(activity_id=activity.id))
                   .scalars()) == {"admitted": 40}
    # Every message is delivered once: the survivor's sweeper takes up what the dead worker held.
    swept_from = time.time()
    wait_for(lambda: _statuses(activity) == {"sent": 80}, 60, "every message sent")
    recovered = time.time() - swept_from
    templates = Counter(m["touser"] for m in emulator.state.sent if m["channel"] == "template")
    sms = Counter(m["phone"] for m in emulator.state.sent if m["channel"] == "sms")
    assert templates == {f"o-mp-{v.id}": 1 for v in volunteers}
    assert sms == {v.account.phone: 1 for v in volunteers}
    lost = [t for t in lb.attempts if t[4]]
    print(f"\nSIGKILL web-b + worker-1: {len(lb.attempts)} attempts in {load_seconds:.1f} s, "
          f"{len(lost)} cut by the kill and retried on web-a, {sum(1 for t in lb.attempts if t[3] is None)} "
          f"without answer; messages all sent {recovered:.1f} s after the load; lost 0, doubled 0")
    # Back to two hosts for what follows.
    b.start().wait_healthy()
    w1.start()


def _statuses(activity):
    db.session.rollback()
    return Counter(db.session.execute(db.select(OutboxMessage.status)).scalars())


def test_a_rolling_restart_of_one_instance_under_load_loses_no_request(cluster, factories):
    a, b = cluster["a"], cluster["b"]
    admin, activity, volunteers = in_progress(factories, 8)
    headers, activity_id = [bearer(v) for v in volunteers], activity.id
    lb = RoundRobin([a, b])
    stop = threading.Event()
    outcomes, lock = [], threading.Lock()

    def load(n):
        i = 0
        while not stop.is_set():
            i += 1
            path = f"/api/v1/activities/{activity_id}" if i % 2 else "/api/v1/me"
            try:
                response = lb.request("GET", path, headers=headers[(n + i) % len(headers)])
                outcome = response.status_code
            except Exception as exc:
                outcome = exc
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=load, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    try:
        time.sleep(1)
        term_at = time.time()
        a.terminate(timeout=40)  # SIGTERM: 1.5 s draining (healthz 503), then a graceful stop
        stopped_at = time.time()
        a.start().wait_healthy()
        back_at = time.time()
        time.sleep(1.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
        lb.close()
    during = [t for t in lb.attempts if term_at <= t[1] <= back_at]
    reached_a_while_stopping = [t for t in lb.attempts if t[0] == a.base and term_at <= t[1] <= stopped_at]
    errors = [o for o in outcomes if not (isinstance(o, int) and o == 200)]
    assert not errors, errors[:5]
    assert not [t for t in lb.attempts if t[4]]  # nothing that reached an instance was cut
    assert reached_a_while_stopping  # it went on serving while the balancer took it out
    refused = [t for t in lb.attempts if t[3] is None]
    print(f"\nrolling restart of web-a: {len(outcomes)} requests, {len(during)} during the restart "
          f"({len(reached_a_while_stopping)} answered by web-a while draining), {len(errors)} errors, "
          f"{len(refused)} connections refused and sent to web-b, drain+stop {stopped_at - term_at:.1f} s, "
          f"back in {back_at - stopped_at:.1f} s")
