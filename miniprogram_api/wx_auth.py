"""POST /api/v1/auth/wx-login and /api/v1/auth/bind: the mini-program's WeChat login.

wx.login's code goes to WeChat (code2session) from here; the session_key it returns never
leaves the server. A WeChat identity not yet bound gets a session without account, which can
do one thing: bind itself to an account with account + password.
"""
from flask import current_app, g, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.errors import DomainError
from app.services import wechat_identity
from app.wechat.gateway import WechatApiError, get_gateway
from miniprogram_api.auth_context import bearer_token, session_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.serializers import account_summary

blp = Blueprint("wx_auth", __name__, url_prefix="/api/v1/auth", description="微信登录与绑定")

# wx.login codes are single use: a retried request gets 40163 (used) or 40029 (invalid).
CODE_ERRCODES = (40029, 40163, 40226)


class WxLoginIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128),
                         metadata={"description": "wx.login() 返回的 code（一次有效）"})


class WxLoginOut(Schema):
    token = fields.String(metadata={"description": "Bearer token；未绑定时只能用于绑定"})
    bound = fields.Boolean(metadata={"description": "微信身份是否已绑定 i志愿 帐号"})
    expires_in = fields.Integer()
    account = fields.Dict(allow_none=True)


class BindIn(Schema):
    account = fields.String(required=True, validate=validate.Length(min=1, max=254),
                            metadata={"description": "手机号、邮箱、身份证号、用户名或志愿者编号"})
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


@blp.route("/wx-login")
class WxLogin(MethodView):
    @blp.arguments(WxLoginIn())
    @blp.response(200, WxLoginOut)
    @blp.alt_response(400, description="WECHAT_CODE_INVALID")
    @blp.alt_response(503, description="WECHAT_UNAVAILABLE")
    def post(self, body):
        """Log in with wx.login's code; `bound` says whether an account is attached."""
        try:
            result = get_gateway().code_to_session(body["code"])
        except WechatApiError as exc:
            raise DomainError("WECHAT_CODE_INVALID" if exc.errcode in CODE_ERRCODES
                              else "WECHAT_UNAVAILABLE") from None
        token, account = wechat_identity.wx_login(result["openid"], result.get("unionid"), current_app.config)
        return {"token": token, "bound": account is not None,
                "expires_in": current_app.config["SESSION_TTL_SECONDS"],
                "account": account_summary(account, viewer=account) if account else None}


@blp.route("/bind")
class Bind(MethodView):
    @session_required
    @blp.arguments(BindIn())
    @blp.response(200, WxLoginOut)
    @blp.alt_response(401, description="INVALID_CREDENTIALS / WECHAT_SESSION_REQUIRED")
    @blp.alt_response(409, description="WECHAT_ALREADY_BOUND")
    @blp.alt_response(429, description="ACCOUNT_LOCKED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body):
        """Bind the WeChat identity of this session to an account; the same token then acts
        for that account."""
        account = wechat_identity.bind_session(g.session.id, body["account"], body["password"],
                                               current_app.config, ip=request.remote_addr)
        return {"token": bearer_token(), "bound": True,
                "expires_in": current_app.config["SESSION_TTL_SECONDS"],
                "account": account_summary(account, viewer=account)}
