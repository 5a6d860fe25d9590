"""The city-service pages' shared entry: WeChat OAuth, the cookie session and CSRF.

Every H5 page runs inside WeChat. The first visit (or one whose session has expired) goes
through WeChat's silent OAuth (snsapi_base): /h5/oauth?next=… keeps a random state and the page
wanted in the session, WeChat comes back to /h5/oauth/callback with a single-use code and the
state, the state is checked, the code exchanged once (app.services.wechat_oauth), and the user
lands on the page wanted. The openid then lives in Flask's signed session cookie (HttpOnly,
SameSite=Lax, Secure under https: app/config.py) with the time it was confirmed; after
H5_SESSION_SECONDS without a visit the session is over and OAuth runs again.

Decorators for views: `wechat_user` (an openid, bound or not: the public pages),
`account_required` (a bound i志愿 account; otherwise a page offering binding, which comes back
here after binding), `admin_required` (a bound organisation admin).

Every POST of these pages carries the session's CSRF token in the form field "csrf"
(`check_csrf`, called before any view of a blueprint that uses `protect(bp)`).

Every H5 page, /h5/bind/ and /h5/scan/ included, uses this module: one OAuth, one session and one
CSRF token serve them all.
"""
import functools
import secrets
import time
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, session, url_for

from app.h5 import errors as h5_errors
from app.h5 import present
from app.h5.texts import MESSAGES
from app.services import authz, wechat_identity, wechat_oauth

OPENID = "wx_mp_openid"
STATE = "wx_oauth_state"
CSRF = "wx_bind_csrf"
CONFIRMED_AT = "h5_at"  # Unix seconds the openid was last confirmed by a visit
OAUTH_NEXT = "h5_oauth_next"  # the page to land on after OAuth
AFTER_BIND = "h5_after_bind"  # the page that asked for an account, shown again after binding
RENEW_AFTER_SECONDS = 60  # the session's time is written back at most once a minute


# --- where a user may be sent back to ---

def safe_next(target, default="/h5/"):
    """Only our own H5 pages: a path under /h5/, never another host or scheme."""
    if not target or not isinstance(target, str):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/h5/") or "\\" in target:
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")


def wanted_page():
    """The page to come back to: this one for a GET; for a POST the page whose form it was."""
    if request.method == "GET":
        return safe_next(request.full_path.rstrip("?"))
    referrer = request.referrer or ""
    if referrer.startswith(current_app.config["PUBLIC_BASE_URL"] + "/"):
        referrer = referrer[len(current_app.config["PUBLIC_BASE_URL"]):]
    return safe_next(referrer)


# --- the session ---

def session_seconds():
    return current_app.config["H5_SESSION_SECONDS"]


def current_openid():
    """The session's openid while the session is fresh; None once it has expired (cleared)."""
    openid = session.get(OPENID)
    if not openid:
        return None
    now = int(time.time())
    confirmed = session.get(CONFIRMED_AT)
    # No time (a cookie from when /h5/bind/ and /h5/scan/ ran their own OAuth): expired, OAuth again.
    if not isinstance(confirmed, int) or now - confirmed > session_seconds():
        for key in (OPENID, CONFIRMED_AT):
            session.pop(key, None)
        return None
    if now - confirmed > RENEW_AFTER_SECONDS:
        session[CONFIRMED_AT] = now
    return openid


def start_session(openid):
    session[OPENID] = openid
    session[CONFIRMED_AT] = int(time.time())
    session[CSRF] = secrets.token_urlsafe(24)  # a new identity gets a new form token


def oauth_redirect(next_page):
    """Off to WeChat's authorize page; back to next_page afterwards."""
    state = secrets.token_urlsafe(16)
    session[STATE] = state
    session[OAUTH_NEXT] = safe_next(next_page)
    callback = current_app.config["PUBLIC_BASE_URL"] + url_for("h5_home.oauth_callback")
    return redirect(wechat_oauth.authorize_url(callback, state))


def finish_oauth(code, state):
    """The callback: → the page to land on. Raises OAuthRefused / OAuthUnavailable."""
    expected = session.pop(STATE, None)
    if not expected or not state or not secrets.compare_digest(expected, state):
        raise wechat_oauth.OAuthRefused()
    start_session(wechat_oauth.openid_from_code(code))
    return safe_next(session.pop(OAUTH_NEXT, None))


def current_account():
    """The bound i志愿 account of this WeChat user, or None (looked up once per request)."""
    if "h5_account" not in g:
        openid = current_openid()
        g.h5_account = wechat_identity.account_of(wechat_identity.MP, openid) if openid else None
    return g.h5_account


def is_admin(account):
    if account is None:
        return False
    if "h5_is_admin" not in g:
        g.h5_is_admin = authz.is_admin(account)
    return g.h5_is_admin


# --- decorators ---

def wechat_user(view):
    """The page needs to know who is in WeChat (bound or not): OAuth first when the session is
    missing or expired."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_openid() is None:
            return oauth_redirect(wanted_page())
        return view(*args, **kwargs)
    return wrapped


def offer_binding():
    """The page for a WeChat user without an account: bind (and come back here), or register."""
    session[AFTER_BIND] = wanted_page()
    return h5_errors.need_account_page()


def account_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_openid() is None:
            return oauth_redirect(wanted_page())
        if current_account() is None:
            return offer_binding()
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_openid() is None:
            return oauth_redirect(wanted_page())
        account = current_account()
        if account is None:
            return offer_binding()
        if not is_admin(account):
            return h5_errors.need_admin_page()
        return view(*args, **kwargs)
    return wrapped


# --- CSRF ---

def csrf_token():
    if CSRF not in session:
        session[CSRF] = secrets.token_urlsafe(24)
    return session[CSRF]


def csrf_ok():
    sent = request.form.get("csrf", "")
    expected = session.get(CSRF, "")
    return bool(sent) and bool(expected) and secrets.compare_digest(sent, expected)


def check_csrf():
    """before_request of every H5 blueprint: a POST without the session's token is refused."""
    if request.method == "POST" and not csrf_ok():
        if current_openid() is None:  # the session itself expired: through OAuth again
            return oauth_redirect(wanted_page())
        return h5_errors.csrf_page()
    return None


def page_context():
    """What every H5 template may use: the form token, who is here, whether an admin."""
    account = current_account() if session.get(OPENID) else None
    return {"csrf": csrf_token(), "me": account, "me_is_admin": is_admin(account),
            "register_hint": MESSAGES["register_hint"]}


def protect(bp):
    """Wire a blueprint of H5 pages: CSRF on every POST, the common template context and filters.
    (Refusals and HTTP errors are answered by the app's handlers: app/errorhandlers.py, errors.py.)"""
    bp.before_request(check_csrf)
    bp.context_processor(page_context)
    present.register(bp)
    return bp
