"""Several instances of the service on this machine, as several hosts would run them, for the
scenario tests of tests/hosts/: gunicorn masters on ports of their own (scripts/launch.py's
gunicorn_command, the command line scripts/serve and the deployment files use), `flask worker`
job workers, and a round-robin load balancer played by the test.

Every process writes its JSON log lines to a file of its own (read back by the tests) and gets a
metrics directory of its own (PROMETHEUS_MULTIPROC_DIR), shared by an instance's web workers.
Loopback only; everything started here is stopped by the test that started it.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from scripts.launch import gunicorn_command
from scripts.scratch import free_port

ROOT = Path(__file__).resolve().parents[2]

# Short outbox timings, so that a dead worker's leased rows come back within seconds.
FAST_OUTBOX = {
    "OUTBOX_LEASE_SECONDS": "4",
    "OUTBOX_RETRY_BASE_SECONDS": "1",
    "OUTBOX_RETRY_MAX_SECONDS": "2",
    "OUTBOX_SWEEP_SECONDS": "1",
    "OUTBOX_PENDING_GRACE_SECONDS": "3",
    "WECHAT_SEND_RATE": "500/second",
}


def service_env(database_url, redis_url, prefix, emulator_url, **extra):
    """The environment of a served process: the test's database, Redis and key prefix, JSON logs."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TEST_", "PROMETHEUS_MULTIPROC_DIR", "DRAIN_SECONDS", "IZYZ_"))}
    env.update({"APP_ENV": "testing", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                "REDIS_PREFIX": prefix, "WECHAT_API_BASE": emulator_url, "LOG_FORMAT": "json",
                "FLASK_APP": "wsgi.py", **FAST_OUTBOX})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def env_of_app(app, emulator, **extra):
    """service_env for the processes beside the test's own app (same database, Redis and prefix)."""
    return service_env(app.config["SQLALCHEMY_DATABASE_URI"], app.config["REDIS_URL"], app.config["REDIS_PREFIX"],
                       emulator.url, **extra)


class Process:
    """A child in a session of its own, its output in a log file."""

    def __init__(self, name, command, env, log_dir):
        self.name, self.command, self.env = name, command, env
        self.log_path = Path(log_dir) / f"{name}.log"
        self.process = None

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        log.close()
        return self

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL to the whole process group: no clean shutdown anywhere."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def terminate(self, timeout=40):
        """SIGTERM to the main process (gunicorn's master, the RQ worker) and wait for it."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        else:
            try:  # children of a master that died
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, AttributeError):
                pass

    def log_records(self):
        """The JSON objects of the log file (other lines skipped)."""
        records = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    pass
        return records


class Instance(Process):
    """One service instance: a gunicorn master and its workers on a port of its own."""

    def __init__(self, name, env, log_dir, workers=2, port=None):
        self.port = port or free_port()
        metrics_dir = Path(log_dir) / f"{name}-metrics"
        metrics_dir.mkdir(exist_ok=True)
        env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        super().__init__(name, gunicorn_command("wsgi:app", workers, f"127.0.0.1:{self.port}"), env, log_dir)
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if not self.alive():
                raise AssertionError(f"{self.name} exited: {self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} not healthy in {seconds} s: {self.log_path.read_text()[-3000:]}")


def worker(name, env, log_dir):
    return Process(name, [sys.executable, "-m", "flask", "--app", "wsgi", "worker"], env, log_dir)


def refused(exc):
    """A connection that was never accepted: the request did not reach the instance."""
    text = repr(exc)
    return "NewConnectionError" in text or "Connection refused" in text or "ConnectTimeout" in text


class RoundRobin:
    """The load balancer, played by the test: requests go round the instances that pass their
    health check (GET /healthz every 0.2 s, like an LB's); a connection that is refused is tried
    on the next instance (nothing reached the first), as nginx's proxy_next_upstream does. With
    retry_lost, a request cut after it reached an instance (SIGKILL) is also tried again on the
    next one, as a client or LB retrying an idempotent request would.

    Every attempt is recorded: (instance base, started, seconds, status or None, lost?)."""

    def __init__(self, instances, health_interval=0.2, retry_lost=False, timeout=15):
        self.instances = list(instances)
        self.in_rotation = {i.base: True for i in self.instances}
        self.retry_lost, self.timeout = retry_lost, timeout
        self.attempts, self.lock, self._next = [], threading.Lock(), 0
        self._stop = threading.Event()
        self._health = threading.Thread(target=self._check_health, args=(health_interval,), daemon=True)
        self._health.start()

    def close(self):
        self._stop.set()
        self._health.join(timeout=5)

    def _check_health(self, interval):
        while not self._stop.wait(interval):
            for instance in self.instances:
                try:
                    ok = requests.get(instance.base + "/healthz", timeout=1).status_code == 200
                except requests.RequestException:
                    ok = False
                self.in_rotation[instance.base] = ok

    def _order(self):
        with self.lock:
            start = self._next
            self._next += 1
        ring = self.instances[start % len(self.instances):] + self.instances[:start % len(self.instances)]
        healthy = [i for i in ring if self.in_rotation[i.base]]
        return healthy or ring

    def request(self, method, path, **kwargs):
        """→ requests.Response of the first instance that answered; raises when none did."""
        last = None
        for _ in range(8):  # a few rounds: the other instance may be restarting too
            for instance in self._order():
                started = time.time()
                try:
                    response = requests.request(method, instance.base + path, timeout=self.timeout, **kwargs)
                except requests.RequestException as exc:
                    lost = not refused(exc)
                    self._record(instance.base, started, None, lost)
                    last = exc
                    if lost and not self.retry_lost:
                        raise
                    continue
                self._record(instance.base, started, response.status_code, False)
                return response
            time.sleep(0.2)
        raise last

    def _record(self, base, started, status, lost):
        with self.lock:
            self.attempts.append((base, started, time.time() - started, status, lost))


def run_load(count, task, threads=8):
    """task(i) for i in range(count) on `threads` threads → {i: result or exception}."""
    results, lock, counter = {}, threading.Lock(), iter(range(count))

    def loop():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            try:
                result = task(i)
            except Exception as exc:  # recorded, judged by the test
                result = exc
            with lock:
                results[i] = result

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


def wait_for(predicate, seconds, what, interval=0.2):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def scrape(base):
    """GET /metrics → {(name, frozenset(labels)): value} of its samples."""
    from prometheus_client.parser import text_string_to_metric_families

    text = requests.get(base + "/metrics", timeout=10).text
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def metric(samples, name, **labels):
    """The sum of the samples of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)
