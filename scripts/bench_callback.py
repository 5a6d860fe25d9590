"""Benchmark of /wechat/callback in safe mode (issue 4), loopback only and bounded.

The service as scripts/serve runs it (gunicorn, WEB_CONCURRENCY workers, its job worker and
the emulator; MariaDB + Redis with BENCH_DATABASE_URL / BENCH_REDIS_URL), and in the same run
two references under gunicorn with the same worker count: the minimal wechatpy handler and a
bare Flask endpoint. Each gets signed, encrypted messages — half text with unique MsgIds, a
quarter SCAN, a quarter subscribe with qrscene_ — at concurrency 32 for 10 s after a warm-up.

    BENCH_DATABASE_URL=mysql+pymysql://root@127.0.0.1/bench BENCH_REDIS_URL=redis://127.0.0.1:6379/14 \
        scripts/bench callback

All three run at once and are measured in interleaved rounds (the order rotating), so that the
load of anything else on the machine falls on each alike; the median round of each is shown.

Environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONCURRENCY (32),
BENCH_ROUNDS (3), WEB_CONCURRENCY (2), BENCH_USERS (500 distinct WeChat users). The warm-up
reaches every user once, and the jobs it queues for new followers finish before timing; the
references log each request like scripts/serve's gunicorn does.
"""
import os
import sys
import time

from scripts import benchlib
from scripts.wechat_play import WechatPeer

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TOKEN, APPID = "devtoken", "wxdev0000000000001"


def build_requests(peer, count, users, tag):
    """Signed, encrypted requests, each a distinct message with its own nonce (prepared
    before the timed run, so that the load generator spends its CPU on sending only)."""
    run = f"{tag}{int(time.time())}"
    prepared = []
    for i in range(count):
        user = f"bench-user-{i % users}"
        kind = i % 4
        if kind in (0, 1):
            # MsgId from the peer's process-wide counter: unique across every set of this run
            # (ids built from i and the clock's second repeated across sets built in the same second,
            # so the service answered later rounds' texts from its de-duplication store)
            message = peer.text(user, "你好" if kind == 0 else "帮助")
        elif kind == 2:
            message = peer.event(user, "SCAN", EventKey=f"poster-{run}-{i}", Ticket="gQbench")
        else:
            message = peer.event(user, "subscribe", EventKey=f"qrscene_poster-{run}-{i}", Ticket="gQbench")
        query, body = peer.envelope(message, nonce=f"{run}-{i}")
        path = "/wechat/callback?" + "&".join(f"{k}={v}" for k, v in query.items())
        prepared.append((path, body))
    return prepared


def request_maker(prepared, path_override=None):
    headers = {"Content-Type": "text/xml"}

    def make(i):
        path, body = prepared[i % len(prepared)]
        if path_override is not None:
            path = path_override + path[path.index("?"):]
        return "POST", path, body, headers

    return make


def wait_for_jobs(service, seconds=60):
    """New followers queue a job (their unionid); let the warm-up's jobs finish before timing."""
    import redis

    url = service.env.get("REDIS_URL")
    if not url:
        time.sleep(3)
        return
    client = redis.Redis.from_url(url)
    queue = f"rq:queue:{service.env['REDIS_PREFIX']}default"
    deadline = time.time() + seconds
    while client.llen(queue) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # the job being run


def warm_up(base, prepared, path_override, seconds, concurrency):
    benchlib.drive(base, request_maker(prepared, path_override), concurrency=concurrency, seconds=seconds)


def main():
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    warmup = float(os.environ.get("BENCH_WARMUP_SECONDS", "3"))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "32"))
    workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
    users = int(os.environ.get("BENCH_USERS", "500"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    per_round = int(os.environ.get("BENCH_MAX_REQUESTS", "20000"))
    peer = WechatPeer(TOKEN, APPID, AES_KEY)
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID, "WECHAT_AES_KEY": AES_KEY}
    reference_env = env  # benchlib.gunicorn_app runs them with scripts/serve's gunicorn command

    print("preparing requests …", file=sys.stderr)
    # The service gets new messages in every round (a repeat would be answered from the
    # de-duplication store); the references may see the same ones again.
    service_sets = [build_requests(peer, per_round, users, f"s{r}") for r in range(rounds + 1)]
    reference_set = build_requests(peer, per_round, users, "ref")
    names = ["i志愿 /wechat/callback (scripts/serve)", "minimal Flask + wechatpy handler",
             "bare Flask constant"]
    runs = {name: [] for name in names}
    with benchlib.served_service(os.environ.get("BENCH_DATABASE_URL"), os.environ.get("BENCH_REDIS_URL"),
                                 workers=workers, extra_env=env) as service, \
            benchlib.gunicorn_app("scripts.bench_callback_apps:wechatpy_app", workers=workers,
                                  env=reference_env) as ref, \
            benchlib.gunicorn_app("scripts.bench_callback_apps:bare_app", workers=workers,
                                  env=reference_env) as bare:
        targets = {names[0]: (service, None), names[1]: (ref, "/"), names[2]: (bare, "/")}
        warm_up(service.base, service_sets[rounds], None, warmup, concurrency)
        wait_for_jobs(service)
        warm_up(ref.base, reference_set, "/", warmup, concurrency)
        warm_up(bare.base, reference_set, "/", warmup, concurrency)
        # Interleaved rounds, in a rotating order, so that a change in the machine's load
        # falls on every server alike; each server's median round is reported.
        for r in range(rounds):
            order = names[r % 3:] + names[: r % 3]
            for name in order:
                server, override = targets[name]
                prepared = service_sets[r] if override is None else reference_set
                figures = benchlib.drive(server.base, request_maker(prepared, override),
                                         concurrency=concurrency, seconds=seconds,
                                         max_requests=len(prepared), server_pid=server.pid)
                runs[name].append(figures)
                print(f"  round {r + 1} {name}: {figures['rps']:.0f} requests/s, "
                      f"{figures['cpu_us_per_request']:.0f} µs CPU, statuses {figures['statuses']}",
                      file=sys.stderr)
    rows = [(name, sorted(runs[name], key=lambda f: f["rps"])[len(runs[name]) // 2]) for name in names]

    db = "MariaDB" if (os.environ.get("BENCH_DATABASE_URL") or "").startswith("mysql") else "SQLite"
    redis = "Redis" if os.environ.get("BENCH_REDIS_URL") else "embedded Redis"
    print(f"\nsafe mode, concurrency {concurrency}, {seconds:.0f} s per round after {warmup:.0f} s warm-up, "
          f"median of {rounds} interleaved rounds, {workers} gunicorn workers each, {db} + {redis}, "
          f"{os.cpu_count()} CPUs\n")
    print(benchlib.format_table(rows))
    print("\nevery round (requests/s, CPU µs/request):")
    for name in names:
        figures = ", ".join(f"{f['rps']:.0f} / {f['cpu_us_per_request']:.0f}" for f in runs[name])
        print(f"- {name}: {figures}")


if __name__ == "__main__":
    main()
