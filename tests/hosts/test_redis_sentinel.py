"""Redis high availability: REDIS_URL names three sentinels (redis+sentinel://…/izyz/0) and the
service finds the primary through redis-py's Sentinel support. The test starts a real primary, a
replica and three sentinels (redis-server in sentinel mode, on ports of their own), serves the app
(gunicorn + a job worker) on them, kills the primary (SIGKILL) under load and watches the sentinels
promote the replica: requests during the switch are answered at once (503 in the envelope, or the
callback's 503), none hangs, and the service and its worker carry on by themselves — every
admission made meanwhile gets its messages, once.
"""
import shutil
import subprocess
import threading
import time
from collections import Counter

import pytest
import redis
import requests

from app.extensions import db
from app.models import OutboxMessage
from scripts.scratch import free_port
from scripts.wechat_play import WechatPeer
from tests.activity_helpers import bearer, bind_mp
from tests.hosts.cluster import Instance, env_of_app, wait_for, worker

pytestmark = [pytest.mark.hosts,
              pytest.mark.skipif(not shutil.which("redis-server"), reason="needs the redis-server binary")]

SERVICE = "izyz"


def start_redis(tmp_path, name, port, *extra):
    log = open(tmp_path / f"{name}.log", "wb")
    return subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path), "--dbfilename", f"{name}.rdb",
                             "--repl-diskless-sync-delay", "0", *extra],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_sentinel(tmp_path, name, port, primary_port):
    conf = tmp_path / f"{name}.conf"  # a sentinel rewrites its own file: one each
    conf.write_text(f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
                    f"sentinel monitor {SERVICE} 127.0.0.1 {primary_port} 2\n"
                    f"sentinel down-after-milliseconds {SERVICE} 1000\n"
                    f"sentinel failover-timeout {SERVICE} 4000\n"
                    f"sentinel parallel-syncs {SERVICE} 1\n")
    log = open(tmp_path / f"{name}.log", "wb")
    return subprocess.Popen(["redis-server", str(conf), "--sentinel"], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


@pytest.fixture
def sentinel_set(tmp_path):
    ports = {"primary": free_port(), "replica": free_port()}
    sentinel_ports = [free_port() for _ in range(3)]
    processes = {"primary": start_redis(tmp_path, "primary", ports["primary"])}
    processes["replica"] = start_redis(tmp_path, "replica", ports["replica"],
                                       "--replicaof", "127.0.0.1", str(ports["primary"]))
    for i, port in enumerate(sentinel_ports):
        processes[f"sentinel-{i}"] = start_sentinel(tmp_path, f"sentinel-{i}", port, ports["primary"])
    try:
        replica = redis.Redis(port=ports["replica"])
        try:
            wait_for(lambda: _answers(lambda: replica.info("replication")["master_link_status"] == "up"), 40,
                     "the replica in sync")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; replica's log:\n{(tmp_path / 'replica.log').read_text()[-2000:]}") from None
        first = redis.Redis(port=sentinel_ports[0])
        wait_for(lambda: _answers(lambda: first.sentinel_master(SERVICE)["num-other-sentinels"] == 2
                                  and first.sentinel_master(SERVICE)["num-slaves"] == 1), 30,
                 "the sentinels to know each other and the replica")
        yield {"ports": ports, "sentinels": sentinel_ports, "processes": processes,
               "url": f"redis+sentinel://{','.join(f'127.0.0.1:{p}' for p in sentinel_ports)}/{SERVICE}/0"}
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def _answers(check):
    try:
        return check()
    except (redis.RedisError, KeyError):
        return False


def test_the_service_follows_a_sentinel_failover_by_itself(app, emulator, factories, sentinel_set, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("mysql"):
        pytest.skip("a load scenario: runs in the MariaDB + Redis run (TEST_DATABASE_URL), within CI's time")
    env = env_of_app(app, emulator, REDIS_URL=sentinel_set["url"], REDIS_PREFIX="sentinel-test:")
    web = Instance("web", env, tmp_path)
    job_worker = worker("worker", env, tmp_path)
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org, quota=40)
    volunteers = []
    for _ in range(24):
        volunteer = factories.volunteer(org)
        bind_mp(volunteer)
        factories.enroll(activity, volunteer, status="pending")
        volunteers.append(volunteer)
    ids, headers, path = [v.id for v in volunteers], bearer(admin), f"/api/v1/admin/activities/{activity.id}/admissions"
    phones = {v.account.phone for v in volunteers}
    peer = WechatPeer(app.config["WECHAT_TOKEN"], app.config["WECHAT_APPID"])
    web.start()
    job_worker.start()
    outcomes, lock, stop = [], threading.Lock(), threading.Event()
    try:
        web.wait_healthy()

        def callback_load(n):
            i = 0
            while not stop.is_set():
                i += 1
                query, body = peer.envelope(peer.text(f"user{n}", "帮助"), nonce=f"s-{n}-{i}")
                _timed("callback", lambda q=query, b=body: requests.post(
                    web.base + "/wechat/callback", params=q, data=b, headers={"Content-Type": "text/xml"}, timeout=15))
                time.sleep(0.02)

        def admissions():
            for n in range(len(ids)):  # one volunteer every 0.25 s, through the whole switch
                if stop.is_set():
                    return
                _timed("admission", lambda n=n: requests.post(web.base + path, json={"volunteer_ids": [ids[n]]},
                                                              headers=headers, timeout=15))
                time.sleep(0.25)

        def _timed(kind, call):
            started = time.time()
            try:
                response = call()
                status = response.status_code
                if kind == "callback" and status == 200 and "系统繁忙".encode() in response.content:
                    status = "busy"  # Redis unreachable: answered politely (WeChat then does not retry)
                elif status not in (200, 503):
                    status = f"{status} {response.text[:80]}"
            except requests.RequestException as exc:
                status = exc
            with lock:
                outcomes.append((kind, started, time.time() - started, status))

        threads = [threading.Thread(target=callback_load, args=(n,)) for n in range(3)]
        threads.append(threading.Thread(target=admissions))
        for t in threads:
            t.start()
        time.sleep(1.5)
        killed_at = time.time()
        sentinel_set["processes"]["primary"].kill()  # SIGKILL: no goodbye to anyone
        sentinel = redis.Redis(port=sentinel_set["sentinels"][0])
        wait_for(lambda: _answers(lambda: int(sentinel.sentinel_get_master_addr_by_name(SERVICE)[1])
                                  == sentinel_set["ports"]["replica"]), 60, "the replica's promotion")
        promoted_at = time.time()
        wait_for(lambda: requests.get(web.base + "/healthz", timeout=5).status_code == 200, 30, "the service")
        time.sleep(2)
    finally:
        stop.set()
        for t in threads:
            t.join()

    try:
        during = [o for o in outcomes if o[1] >= killed_at]
        errors = [o for o in during if o[3] != 200]
        assert errors, "the switch went unnoticed: the test did not exercise it"
        # answered, never cut: 503 in the envelope, or the callback's polite reply
        assert all(o[3] in (503, "busy") for o in errors), Counter(str(o[3]) for o in errors)
        assert max(o[2] for o in outcomes) < 8  # nobody hung
        last_error = max(o[1] + o[2] for o in errors)
        assert [o for o in outcomes if o[1] > last_error and o[3] == 200], (  # it came back by itself
            [r.get("exc_info", "")[-700:] for r in web.log_records() if r.get("message") == "callback failed"][-1:])
        admitted = sum(1 for o in outcomes if o[0] == "admission" and o[3] == 200)
        # Every admission answered 200 is recorded with its two messages, and they all go out once.
        try:
            wait_for(lambda: _outbox() == {"sent": 2 * admitted}, 60, f"{2 * admitted} messages sent")
        except AssertionError as exc:
            worker_lines = [line[:300] for line in job_worker.log_path.read_text().splitlines()]
            raise AssertionError(f"{exc}: {_outbox()}; worker:\n" + "\n".join(worker_lines[-40:])) from None
        assert job_worker.alive()  # the worker carried on (a new RQ worker when Redis failed under it)
        sms = Counter(m["phone"] for m in emulator.state.sent if m["channel"] == "sms")
        assert set(sms) <= phones and set(sms.values()) == {1} and len(sms) == admitted
        print(f"\nSentinel failover: {len(during)} requests after the kill, {len(errors)} answered 503, "
              f"0 cut or hung (slowest {max(o[2] for o in outcomes):.2f} s); replica promoted "
              f"{promoted_at - killed_at:.1f} s after the kill, last error {last_error - killed_at:.1f} s after; "
              f"{admitted} admissions, {2 * admitted} messages sent once each; lost 0, doubled 0")
    finally:
        web.terminate(timeout=30)
        job_worker.terminate(timeout=15)  # see the README: a stop after a failover can wedge in RQ


def _outbox():
    db.session.rollback()
    return Counter(db.session.execute(db.select(OutboxMessage.status)).scalars())
