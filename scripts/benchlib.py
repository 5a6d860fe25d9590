"""Shared pieces of the benchmarks (scripts/bench): start servers, drive load, measure.

Loopback only, bounded in time and count. Figures: requests/s, p50 and p99 latency, and
server CPU µs per request (user+system time of the server's processes from /proc).
"""
import http.client
import os
import signal
import subprocess
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import SimpleNamespace

import requests

from scripts.scratch import free_port, scratch_database

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def wait_healthy(url, seconds=90):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=3).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


def process_tree_cpu(pid):
    """User+system CPU seconds of a process and all its descendants (gunicorn master + workers)."""
    total = 0.0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


@contextmanager
def served_service(database_url=None, redis_url=None, workers=2, extra_env=None):
    """scripts/serve on a free port, on a fresh MariaDB database when database_url is MySQL.

    Yields SimpleNamespace(base, pid, env, database_url). Everything is stopped afterwards.
    """
    run = uuid.uuid4().hex[:8]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_")}
    env.update({"PORT": str(free_port()), "WEB_CONCURRENCY": str(workers), "REDIS_PREFIX": f"bench-{run}:"})
    with ExitStack() as stack:  # the database goes after the service has stopped
        if database_url and database_url.startswith("mysql"):
            env["DATABASE_URL"] = stack.enter_context(scratch_database(database_url, f"bench_{run}"))
        elif database_url:
            env["DATABASE_URL"] = database_url
        else:
            env["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / f'bench-{run}.sqlite3'}"
        if redis_url:
            env["REDIS_URL"] = redis_url
        env.update(extra_env or {})
        process = subprocess.Popen([str(ROOT / "scripts" / "serve")], env=env, cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{env['PORT']}"
        try:
            wait_healthy(base + "/healthz")
            yield SimpleNamespace(base=base, pid=process.pid, env=env, database_url=env["DATABASE_URL"])
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def gunicorn_app(app_path, workers=2, env=None):
    """A reference WSGI app (module:attr) under gunicorn exactly as scripts/serve runs the service
    (the same command line, access log included) and with the same worker count."""
    from scripts.launch import gunicorn_command

    port = free_port()
    process = subprocess.Popen(gunicorn_command(app_path, workers, f"127.0.0.1:{port}"),
                               cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base + "/")
        yield SimpleNamespace(base=base, pid=process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def drive(base, make_request, concurrency=32, seconds=10.0, max_requests=None, server_pid=None):
    """Send requests from `concurrency` threads with keep-alive connections.

    make_request(i) → (method, path, body bytes or None, headers dict); i counts up from 0.
    Runs `seconds` (or until max_requests). Returns a dict of figures.
    """
    host, port = base.replace("http://", "").split(":")
    counter = iter(range(10**9))
    lock = threading.Lock()
    latencies, errors, statuses = [], [0], {}
    stop_at = time.time() + seconds

    def worker():
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        while time.time() < stop_at:
            with lock:
                i = next(counter)
            if max_requests is not None and i >= max_requests:
                break
            method, path, body, headers = make_request(i)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status] = statuses.get(response.status, 0) + 1
            except (OSError, http.client.HTTPException):
                with lock:
                    errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.close()

    cpu_before = process_tree_cpu(server_pid) if server_pid else None
    wall_start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall_start
    cpu = process_tree_cpu(server_pid) - cpu_before if server_pid else None
    latencies.sort()
    n = len(latencies)

    def pct(p):
        return latencies[min(n - 1, int(p * n))] * 1000 if n else float("nan")

    return {"requests": n, "errors": errors[0], "statuses": statuses, "rps": n / wall if wall else 0,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "cpu_us_per_request": (cpu / n * 1e6) if (cpu is not None and n) else None}


def format_table(rows):
    """rows: [(name, figures)] → a Markdown table for the README."""
    lines = ["| server | requests/s | p50 ms | p99 ms | CPU µs/request | requests | non-2xx | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, f in rows:
        non_2xx = sum(c for s, c in f["statuses"].items() if not 200 <= s < 300)
        cpu = f"{f['cpu_us_per_request']:.0f}" if f["cpu_us_per_request"] is not None else "-"
        lines.append(f"| {name} | {f['rps']:.0f} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {cpu} | "
                     f"{f['requests']} | {non_2xx} | {f['errors']} |")
    return "\n".join(lines)
