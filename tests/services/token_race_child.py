"""The child process of the token race test: only what a worker needs to call WeChat (kept
light so that spawning several processes stays quick)."""
import redis

from app.wechat.gateway import Gateway


def send_in_a_process(config, redis_url, prefix, barrier, results, rounds):
    """As a gunicorn or job worker would: wait for the others, then send a template message;
    repeat after each expiry."""
    client = redis.Redis.from_url(redis_url)
    gateway = Gateway(config, client, prefix)
    for round_no in range(rounds):
        barrier.wait(timeout=60)
        try:
            gateway.send_template(f"openid-{round_no}", "TPL", {"thing1": {"value": "x"}})
            results.put("ok")
        except Exception as exc:  # reported to the test through the queue
            results.put(repr(exc))
        barrier.wait(timeout=60)  # the test expires the tokens between rounds
