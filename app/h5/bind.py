"""/h5/bind/: bind the service account's openid to an i志愿 account, or unbind it.

WeChat web OAuth with snsapi_base (silent) tells us the openid: the first visit redirects to
WeChat's authorize page, which comes back with a single-use code that the gateway exchanges.
The openid then lives in the signed session cookie; the user logs in with account and
password and the openid is bound. Bound users receive template messages.
"""
import secrets

from flask import Blueprint, abort, current_app, redirect, render_template, request, session

from app.errorhandlers import page_status
from app.errors import DomainError
from app.security.pii import mask_name
from app.services import wechat_identity
from app.wechat.gateway import WechatApiError, get_gateway

bp = Blueprint("h5_bind", __name__, url_prefix="/h5/bind")

OPENID = "wx_mp_openid"
STATE = "wx_oauth_state"
CSRF = "wx_bind_csrf"

TEXT = {
    "title": "绑定 i志愿 帐号",
    "intro": "绑定后，可在“i志愿”服务号查询服务时长，并接收审核、录用、时长等通知。",
    "bound": "当前微信已绑定帐号：{name}",
    "bound_ok": "绑定成功！您将通过“i志愿”服务号收到活动与时长通知。",
    "unbound_ok": "已解除绑定，您将不再收到该帐号的服务号通知。",
    "oauth_failed": "微信授权已失效，请重新打开本页面。",
    "retry": "重新打开",
}


def page_url():
    return current_app.config["PUBLIC_BASE_URL"] + "/h5/bind/"


def csrf_token():
    if CSRF not in session:
        session[CSRF] = secrets.token_urlsafe(24)
    return session[CSRF]


def check_csrf():
    sent = request.form.get("csrf", "")
    if not sent or not secrets.compare_digest(sent, session.get(CSRF, "")):
        abort(400)


def render(status=200, **context):
    openid = session.get(OPENID)
    account = wechat_identity.account_of(wechat_identity.MP, openid) if openid else None
    name = mask_name(account.real_name) if account is not None and account.real_name else (
        account.username if account is not None else None)
    return render_template("h5/wechat_bind.html", text=TEXT, account=account, name=name,
                           csrf=csrf_token(), **context), status


@bp.get("/")
def show():
    code = request.args.get("code")
    if code:
        expected = session.pop(STATE, None)
        if not expected or not secrets.compare_digest(expected, request.args.get("state", "")):
            return render(400, error=TEXT["oauth_failed"], retry=True)
        try:
            result = get_gateway().oauth_exchange(code)
        except WechatApiError:
            return render(400, error=TEXT["oauth_failed"], retry=True)
        session[OPENID] = result["openid"]
        return redirect(page_url())
    if not session.get(OPENID):
        state = secrets.token_urlsafe(16)
        session[STATE] = state
        return redirect(get_gateway().oauth_authorize_url(page_url(), state))
    return render()


@bp.post("/")
def bind():
    check_csrf()
    openid = session.get(OPENID)
    if not openid:
        return redirect(page_url())
    try:
        wechat_identity.bind_with_password(wechat_identity.MP, openid, request.form.get("account", ""),
                                           request.form.get("password", ""), current_app.config,
                                           ip=request.remote_addr)
    except DomainError as refused:  # the form again, with the reason above it
        return render(page_status(refused), error=refused.message)
    return render(message=TEXT["bound_ok"])


@bp.post("/unbind")
def unbind():
    check_csrf()
    openid = session.get(OPENID)
    if not openid:
        return redirect(page_url())
    try:
        wechat_identity.unbind(wechat_identity.MP, openid)
    except DomainError as refused:  # the form again, with the reason above it
        return render(page_status(refused), error=refused.message)
    return render(message=TEXT["unbound_ok"])
