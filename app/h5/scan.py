"""/h5/scan/: 扫码计时 in the city-service pages (微信城市服务 → 志愿服务).

The page runs inside WeChat: the JS-SDK's scanQRCode reads the check-in / check-out code and
getLocation the position (gcj02), then the page posts both here and the one clock service
decides, as for the mini-program and the service account. The openid comes from the H5 pages'
one OAuth and session (app/h5/auth.py); an unbound user is offered binding first and comes back
here after binding. Outside WeChat the JS-SDK is absent and the page says so (the manual:
scan-to-clock works only in WeChat); the code can still be typed, which is what the browser test
does.
"""
import secrets

from flask import Blueprint, current_app, jsonify, render_template, request, session

from app.h5.auth import CSRF, OPENID, account_required, csrf_token
from app.services import clocking, wechat_identity, wechat_oauth
from app.timeutil import to_iso

bp = Blueprint("h5_scan", __name__, url_prefix="/h5/scan")

TEXT = {
    "title": "扫码计时",
    "intro": "到达活动现场后扫描签到码，结束时扫描签退码，两次扫码之间的时间计为服务时长。",
    "scan": "扫一扫",
    "not_wechat": "请在微信中打开本页面使用扫码计时。",
    "manual": "或输入二维码下方的签到码",
    "submit": "提交",
    "unbound": "扫码计时需要先绑定 i志愿 帐号。",
    "oauth_failed": "微信授权已失效，请重新打开本页面。",
    "checkin_ok": "签到成功：{at}",
    "checkout_ok": "签退成功：本次服务 {minutes} 分钟",
}


def page_url():
    return current_app.config["PUBLIC_BASE_URL"] + "/h5/scan/"


@bp.get("/")
@account_required
def show():
    # Without the JS-SDK's signature (WeChat away) the page still works by typing the code.
    return render_template("h5/scan.html", text=TEXT, jsapi=wechat_oauth.jsapi_config(page_url()),
                           csrf=csrf_token())


@bp.post("/clock")
def clock():
    """JSON in ({code, latitude?, longitude?, accuracy?, csrf}), JSON out: the page shows the message."""
    body = request.get_json(silent=True) or {}
    sent = body.get("csrf") or ""
    if not isinstance(sent, str) or not sent or not secrets.compare_digest(sent, session.get(CSRF, "")):
        return jsonify({"ok": False, "message": TEXT["oauth_failed"]}), 400
    openid = session.get(OPENID)
    account = wechat_identity.account_of(wechat_identity.MP, openid) if openid else None
    if account is None:
        return jsonify({"ok": False, "message": TEXT["unbound"]}), 401
    code = body.get("code")
    latitude, longitude, accuracy = body.get("latitude"), body.get("longitude"), body.get("accuracy")
    if not isinstance(code, str) or not all(v is None or (isinstance(v, int | float) and not isinstance(v, bool))
                                            for v in (latitude, longitude, accuracy)):
        return jsonify({"ok": False, "message": "请求格式有误。"}), 400
    # A refusal is answered {"ok": false, "code", "message"} by the app's handler (app/errorhandlers.py).
    result = clocking.scan(account.id, code.strip(), "h5", latitude=latitude, longitude=longitude, accuracy=accuracy)
    if result["kind"] == "checkin":
        message = TEXT["checkin_ok"].format(at=to_iso_local(result["at"]))
    else:
        message = TEXT["checkout_ok"].format(minutes=result.get("minutes", 0))
    return jsonify({"ok": True, "message": message, **result})


def to_iso_local(value):
    """The clock service answers ISO 8601 (+08:00); show its HH:MM."""
    text = value if isinstance(value, str) else to_iso(value)
    return text[11:16] if text and len(text) >= 16 else text
