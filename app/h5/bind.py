"""/h5/bind/: bind the service account's openid to an i志愿 account, or unbind it.

The openid comes from the H5 pages' one WeChat OAuth and session (app/h5/auth.py, snsapi_base,
silent); the user logs in with account and password and the openid is bound. Bound users receive
template messages. A page that needed an account (auth.account_required) sent the user here; after
binding the user lands on that page again, with the confirmation on top.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for

from app.errorhandlers import page_status
from app.errors import DomainError
from app.h5 import auth
from app.security.pii import mask_name
from app.services import wechat_identity

# CSRF on every POST (auth.check_csrf): a stale form gets the H5 pages' "page expired" answer.
bp = auth.protect(Blueprint("h5_bind", __name__, url_prefix="/h5/bind"))

TEXT = {
    "title": "绑定 i志愿 帐号",
    "intro": "绑定后，可在“i志愿”服务号查询服务时长，并接收审核、录用、时长等通知。",
    "bound": "当前微信已绑定帐号：{name}",
    "bound_ok": "绑定成功！您将通过“i志愿”服务号收到活动与时长通知。",
    "unbound_ok": "已解除绑定，您将不再收到该帐号的服务号通知。",
}


def render(status=200, **context):
    openid = auth.current_openid()
    account = wechat_identity.account_of(wechat_identity.MP, openid) if openid else None
    name = mask_name(account.real_name) if account is not None and account.real_name else (
        account.username if account is not None else None)
    return render_template("h5/wechat_bind.html", text=TEXT, account=account, name=name,
                           csrf=auth.csrf_token(), **context), status


@bp.get("/")
@auth.wechat_user
def show():
    return render()


@bp.post("/")
def bind():
    openid = auth.current_openid()
    if not openid:  # the session expired while the form was open: OAuth again, then the form
        return redirect(url_for("h5_bind.show"))
    try:
        wechat_identity.bind_with_password(wechat_identity.MP, openid, request.form.get("account", ""),
                                           request.form.get("password", ""), current_app.config,
                                           ip=request.remote_addr)
    except DomainError as refused:  # the form again, with the reason above it
        return render(page_status(refused), error=refused.message)
    after_bind = session.pop(auth.AFTER_BIND, None)
    if after_bind:  # back to the page that asked for an account
        flash(TEXT["bound_ok"], "ok")
        return redirect(auth.safe_next(after_bind))
    return render(message=TEXT["bound_ok"])


@bp.post("/unbind")
def unbind():
    openid = auth.current_openid()
    if not openid:
        return redirect(url_for("h5_bind.show"))
    try:
        wechat_identity.unbind(wechat_identity.MP, openid)
    except DomainError as refused:  # the form again, with the reason above it
        return render(page_status(refused), error=refused.message)
    return render(message=TEXT["unbound_ok"])
