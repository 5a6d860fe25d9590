"""gunicorn's settings for the web processes, wherever they run: scripts/serve (scripts/launch.py's
gunicorn_command), the container's entrypoint and the systemd unit all pass `-c` this file.

- Logs: JSON lines (app/logging_setup.GunicornLogger), the access log naming each request's id.
- Metrics: with PROMETHEUS_MULTIPROC_DIR set, a worker that exits has its live gauges dropped.
- Draining (app/drain.py): with DRAIN_SECONDS > 0, SIGTERM first makes /healthz answer 503
  "draining" while the instance goes on serving for DRAIN_SECONDS (the load balancer takes it out
  of rotation meanwhile), then stops as gunicorn always does: listening socket closed, every
  worker finishes its request within GRACEFUL_TIMEOUT, exit. SIGINT and SIGQUIT stop at once.
"""
import os
import tempfile
import time

logger_class = "app.logging_setup.GunicornLogger"
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
DRAIN_SECONDS = float(os.environ.get("DRAIN_SECONDS", "0"))
DRAIN_FLAG_ENV = "IZYZ_DRAIN_FILE"  # app/drain.py reads it in the workers


def on_starting(server):
    flag = os.path.join(tempfile.gettempdir(), f"izyz-drain-{os.getpid()}")
    if os.path.exists(flag):
        os.remove(flag)
    os.environ[DRAIN_FLAG_ENV] = flag  # inherited by every worker forked from now on


def when_ready(server):
    if DRAIN_SECONDS <= 0:
        return
    flag = os.environ[DRAIN_FLAG_ENV]
    state = {}

    def handle_term():
        if "until" in state:  # already draining
            return
        with open(flag, "w"):
            pass
        state["until"] = time.monotonic() + DRAIN_SECONDS
        server.log.info("draining before stopping", extra={"drain_seconds": DRAIN_SECONDS})

    check_workers = server.murder_workers  # called by the master's loop at least once a second

    def murder_workers():
        check_workers()
        if "until" in state and time.monotonic() >= state["until"]:
            raise StopIteration  # what gunicorn's own SIGTERM handler raises: a graceful stop

    server.handle_term = handle_term
    server.murder_workers = murder_workers


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # only when metrics are multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    flag = os.environ.get(DRAIN_FLAG_ENV)
    if flag and os.path.exists(flag):
        os.remove(flag)
