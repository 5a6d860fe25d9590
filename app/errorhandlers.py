"""How the app answers a request that ends in an error: one translation per adapter kind.

A refusal (DomainError) leaves nothing written: the transaction is rolled back first. Then
- the mini-program API (/api/…) answers with its JSON envelope and the status the API gives the
  code (miniprogram_api/errors.py);
- a city-service page (/h5/…) answers with a page that says what went wrong and what to do next,
  with the same status (h5_error_page: the one H5 error page, which app/h5/errors.py uses too);
  a page's own script (a JSON request) gets {"ok": false, "code", "message"};
- the WeChat callback answers with a polite reply text (wechat_reply). The callback is answered
  in front of Flask's routing (handlers/callback.py), so it calls wechat_reply itself.
Any other path answers with the API's envelope, as it always has.

An unexpected error is logged and answered without its details: INTERNAL_ERROR in the envelope
on /api/, the error page on /h5/, a short text elsewhere.
"""
import logging

from flask import jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from app.errors import MESSAGES, DomainError
from app.extensions import db
from handlers import replies
from miniprogram_api import api
from miniprogram_api.envelope import error_response, refusal_response
from miniprogram_api.errors import status_of

log = logging.getLogger(__name__)

# The error page's own texts; the refusal's message comes from app/errors.py.
PAGE_TEXT = {
    "title": "未能完成操作",
    "back": "返回上一页",
    "bind": "登录并绑定 i志愿 帐号",
}
# What to do next, by the kind of refusal (its status); DEFAULT_NEXT_STEP for the rest.
NEXT_STEPS = {
    401: "请登录并绑定 i志愿 帐号后，重新打开本页面。",
    403: "如有疑问，请联系您的归属组织管理员。",
    404: "内容可能已撤销或链接有误，请从“i志愿”服务号的菜单重新进入。",
    410: "请返回，扫描现场最新的二维码。",
    429: "请稍等几分钟后再试。",
}
DEFAULT_NEXT_STEP = "请返回上一页，按提示修改后重试。"
LATER_NEXT_STEP = "请稍后再试；如果一直不成功，请在“i志愿”服务号回复“人工客服”。"


def page_status(error):
    """The status a city-service page answers a refusal with: the one the API gives its code."""
    return status_of(error.code)


def api_refusal(error):
    return refusal_response(error)


def h5_error_page(status, title, text, next_step="", actions=(), back_label=None):
    """The one error page of the city-service pages (templates/h5/error.html), whoever answers:
    actions are (label, url) links, the first one the main button; back_label adds a button that
    goes back in the browser's history (to the form, with what was typed)."""
    return render_template("h5/error.html", title=title, text=text, next_step=next_step, actions=list(actions),
                           back_label=back_label), status


def page_refusal(error):
    status = page_status(error)
    if request.is_json:  # the page's own script (e.g. 扫码计时) shows the message itself
        return jsonify({"ok": False, "code": error.code, "message": error.message}), status
    next_step = NEXT_STEPS.get(status, LATER_NEXT_STEP if status >= 500 else DEFAULT_NEXT_STEP)
    actions = [(PAGE_TEXT["bind"], url_for("h5_bind.show"))] if status == 401 else []
    return h5_error_page(status, PAGE_TEXT["title"], error.message, next_step, actions, back_label=PAGE_TEXT["back"])


def wechat_reply(error):
    """The text the service account answers a refusal with."""
    return replies.REFUSED.format(message=error.message)


def handle_domain_error(error):
    db.session.rollback()
    if request.path.startswith("/h5/"):
        return page_refusal(error)
    return api_refusal(error)


def handle_unexpected(error):
    if isinstance(error, HTTPException):
        return api.handle_http_exception(error)
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    if request.path.startswith("/api/"):
        return error_response("INTERNAL_ERROR", MESSAGES["INTERNAL_ERROR"], 500)
    if request.path.startswith("/h5/"):
        return page_refusal(DomainError("INTERNAL_ERROR"))
    return MESSAGES["INTERNAL_ERROR"], 500
