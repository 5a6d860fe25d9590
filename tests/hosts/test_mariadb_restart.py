"""The database restarted under load: a MariaDB of the test's own (mariadb-install-db and mariadbd on
a port and data directory of their own, never the machine's shared server) is stopped and started
again while volunteers check in and an admin admits volunteers through the served app. Requests
in the gap fail fast with 503 in the envelope (never a 500, never a hang), the pool reconnects by
itself, nothing is half-written, and the job worker resumes: every admission's messages go out once.
"""
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import timedelta

import pymysql
import pytest
import requests
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.models import ClockEvent, Enrollment, OutboxMessage
from scripts.scratch import free_port
from tests import conftest
from tests.activity_helpers import bearer, bind_mp
from tests.factories import Factories
from tests.hosts.cluster import Instance, service_env, wait_for, worker

pytestmark = [pytest.mark.hosts,
              pytest.mark.skipif(not (shutil.which("mariadbd") and shutil.which("mariadb-install-db")),
                                 reason="needs mariadbd and mariadb-install-db")]


class OwnMariaDB:
    def __init__(self, base):
        self.datadir, self.port = base / "data", free_port()
        self.log = base / "mariadbd.log"
        self.command = ["mariadbd", "--no-defaults", f"--datadir={self.datadir}", f"--port={self.port}",
                        "--bind-address=127.0.0.1", f"--socket={base / 'mysqld.sock'}",
                        f"--pid-file={base / 'mysqld.pid'}", "--user=root", "--skip-grant-tables",
                        "--skip-log-bin", "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M",
                        "--max-connections=200"]
        self.process = None
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}", "--user=root",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, capture_output=True, timeout=180)

    def start(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self.answers, 60, "mariadbd to accept connections")

    def answers(self):
        try:
            pymysql.connect(host="127.0.0.1", port=self.port, user="root", connect_timeout=1).close()
            return True
        except pymysql.MySQLError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # a clean shutdown, as a restart does
            self.process.wait(timeout=60)

    def url(self, database):
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def own_mariadb(tmp_path, app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("mysql"):
        pytest.skip("a load scenario: runs in the MariaDB + Redis run (TEST_DATABASE_URL), within CI's time")
    server = OwnMariaDB(tmp_path)
    server.start()
    connection = pymysql.connect(host="127.0.0.1", port=server.port, user="root")
    with connection.cursor() as cursor:
        cursor.execute("CREATE DATABASE izyz CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connection.close()
    try:
        yield server
    finally:
        if server.process and server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=20)


def test_requests_in_a_database_restart_fail_fast_and_the_service_recovers_by_itself(
        own_mariadb, redis_url, emulator, tmp_path):
    prefix = f"izyz-restart-{conftest.RUN_ID}:"
    database_url = own_mariadb.url("izyz")
    side_app = create_app(conftest.test_config(database_url, redis_url, emulator, upload_dir=tmp_path / "uploads",
                                      REDIS_PREFIX=prefix))
    with side_app.app_context():
        upgrade()
        factories = Factories(side_app)
        org = factories.org()
        admin = factories.admin(org)
        activity = factories.activity(org, starts_in=-timedelta(minutes=30), hours=4, quota=80)
        scanners = [factories.volunteer(org, face_checked=True) for _ in range(30)]
        for v in scanners:
            factories.enroll(activity, v, status="admitted")
        waiting = [factories.volunteer(org) for _ in range(16)]
        for v in waiting:
            bind_mp(v)
            factories.enroll(activity, v, status="pending")
        client = side_app.test_client()
        code = client.post(f"/api/v1/admin/activities/{activity.id}/qrcode", json={"kind": "checkin"},
                           headers=bearer(admin)).json["code"]
        scan_body = {"code": code, "latitude": activity.latitude, "longitude": activity.longitude}
        scan_headers, admin_headers = [bearer(v) for v in scanners], bearer(admin)
        waiting_ids, activity_id = [v.id for v in waiting], activity.id
        scanner_ids = {v.id for v in scanners}
        db.session.remove()

    env = service_env(database_url, redis_url, prefix, emulator.url)
    web, job_worker = Instance("web", env, tmp_path), worker("worker", env, tmp_path)
    web.start()
    job_worker.start()
    outcomes, lock = [], threading.Lock()

    def until_done(kind, method, path, **kwargs):
        """A client that tries again after a 503, as the mini-program does."""
        for _ in range(200):
            started = time.time()
            response = requests.request(method, web.base + path, timeout=15, **kwargs)
            with lock:
                outcomes.append((kind, started, time.time() - started, response.status_code,
                                 response.json().get("error", {}).get("code") if response.status_code >= 400 else None))
            if response.status_code != 503:
                return response
            time.sleep(0.2)
        raise AssertionError("never recovered")

    def scans():
        for n, headers in enumerate(scan_headers):
            assert until_done("scan", "POST", "/api/v1/attendance/scan", json=scan_body,
                              headers=headers).status_code == 200, n
            time.sleep(0.1)

    def admissions():
        for volunteer_id in waiting_ids:
            response = until_done("admission", "POST", f"/api/v1/admin/activities/{activity_id}/admissions",
                                  json={"volunteer_ids": [volunteer_id]}, headers=admin_headers)
            assert response.status_code == 200 and response.json()["admitted"] == [volunteer_id], response.text
            time.sleep(0.2)

    try:
        web.wait_healthy()
        threads = [threading.Thread(target=scans), threading.Thread(target=admissions)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        down_at = time.time()
        own_mariadb.stop()
        stopped_at = time.time()
        time.sleep(1.0)  # the gap: nothing listens on the port
        own_mariadb.start()
        up_at = time.time()
        for t in threads:
            t.join()

        in_gap = [o for o in outcomes if down_at <= o[1] <= up_at]
        errors = [o for o in outcomes if o[3] != 200]
        assert errors, "the restart went unnoticed: the test did not exercise it"
        assert {(o[3], o[4]) for o in errors} == {(503, "SERVICE_UNAVAILABLE")}  # never a 500
        assert max(o[2] for o in errors) < 4  # failing fast, not hanging
        recovered_at = min(o[1] for o in outcomes if o[1] > up_at and o[3] == 200)

        with side_app.app_context():
            db.engine.dispose()  # the test's own pooled connection died with the restart
            checkins = Counter(db.session.execute(db.select(ClockEvent.volunteer_id)
                                                  .where(ClockEvent.activity_id == activity_id)).scalars())
            assert checkins == {v: 1 for v in scanner_ids}
            assert Counter(db.session.execute(db.select(Enrollment.status).where(
                Enrollment.volunteer_id.in_(waiting_ids))).scalars()) == {"admitted": len(waiting_ids)}
            db.session.remove()

            def outbox():
                db.session.rollback()
                return Counter(db.session.execute(db.select(OutboxMessage.status)).scalars())

            # The worker carries on by itself: every admission's two messages go out, once.
            wait_for(lambda: outbox() == {"sent": 2 * len(waiting_ids)}, 60, "every message sent")
            db.session.remove()
        templates = Counter(m["touser"] for m in emulator.state.sent if m["channel"] == "template")
        assert templates == {f"o-mp-{v}": 1 for v in waiting_ids}
        print(f"\nMariaDB restart: {len(outcomes)} requests, {len(in_gap)} while it restarted "
              f"({up_at - down_at:.1f} s: {stopped_at - down_at:.1f} s shutting down, then started), "
              f"{len(errors)} answered 503 (slowest {max(o[2] for o in errors) * 1000:.0f} ms), 0 other errors; "
              f"first success {recovered_at - up_at:.2f} s after it was up; "
              f"{len(scanner_ids)} check-ins and {len(waiting_ids)} admissions recorded once, "
              f"{2 * len(waiting_ids)} messages sent once; lost 0, doubled 0")
    finally:
        web.terminate(timeout=30)
        job_worker.terminate(timeout=30)
