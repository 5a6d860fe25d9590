"""RQ's scheduler (delayed jobs: retries, the identity check's 24-hour follow-up) comes back by
itself after Redis fails and returns, with its data kept (AOF): a job due a few seconds after
Redis is back runs within seconds, not when the worker's next maintenance (10 minutes) happens to
notice the scheduler died. A real `flask worker` process and a redis-server of the test's own."""
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from rq import Queue

from scripts.scratch import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs the redis-server binary")


def start_redis(tmp_path, port):
    return subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path),
                             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return time.monotonic()
        except redis.exceptions.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_scheduler_comes_back_by_itself_after_redis_does(tmp_path, emulator):
    port = free_port()
    server = start_redis(tmp_path, port)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    wait_for(client.ping, 10, "redis-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_")}
    env.update({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
                "REDIS_URL": url, "REDIS_PREFIX": "recover:", "WECHAT_API_BASE": emulator.url})
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    queue = Queue("recover:default", connection=client)
    try:
        wait_for(lambda: any(k.startswith(b"rq:scheduler-lock:") for k in client.keys("rq:scheduler-lock:*")),
                 20, "the scheduler's lock")
        before = tmp_path / "before"
        queue.enqueue_in(timedelta(seconds=1), "tests.services.fault_jobs.touch", str(before))
        wait_for(before.exists, 20, "a delayed job before the fault")

        server.send_signal(signal.SIGKILL)  # Redis dies (its lock and data kept in the AOF)
        server.wait(10)
        time.sleep(4)
        server = start_redis(tmp_path, port)
        client = redis.Redis.from_url(url)
        wait_for(client.ping, 10, "redis-server again")
        queue = Queue("recover:default", connection=client)
        after = tmp_path / "after"
        queue.enqueue_in(timedelta(seconds=2), "tests.services.fault_jobs.touch", str(after))
        started = time.monotonic()
        ran_at = wait_for(after.exists, 90, "a delayed job after Redis came back")
        assert ran_at - started < 60  # the worker's maintenance would have taken up to 10 minutes
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        server.terminate()
        server.wait(10)
