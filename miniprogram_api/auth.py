"""POST /api/v1/auth/login and /logout."""
from flask import current_app, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.services import captcha as captcha_service
from app.services import login as login_service
from app.services.sessions import revoke_token
from miniprogram_api.auth_context import bearer_token, session_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.serializers import account_summary

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="登录与会话")


class LoginIn(Schema):
    account = fields.String(required=True, validate=validate.Length(min=1, max=254),
                            metadata={"description": "手机号、邮箱、身份证号、用户名或志愿者编号"})
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))
    captcha_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                               metadata={"description": "CAPTCHA_REQUIRED 之后："
                                                        "POST /api/v1/auth/captcha 返回的 captcha_id"})
    captcha_answer = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16),
                                   metadata={"description": "图片中算式的结果"})


class CaptchaOut(Schema):
    captcha_id = fields.String()
    image = fields.String(metadata={"description": "data:image/png;base64,… 一道加减算式"})
    expires_in = fields.Integer(metadata={"description": "秒；一张图片只能用于一次登录尝试"})


class TokenOut(Schema):
    token = fields.String()
    expires_in = fields.Integer()
    must_change_password = fields.Boolean()
    restriction = fields.String(allow_none=True, metadata={
        "description": "PASSWORD_CHANGE_REQUIRED: only POST /api/v1/me/password works until then; "
                       "ACCOUNT_REJECTED: only the profile (完善资料) and password"})
    account = fields.Dict()


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginIn())
    @blp.response(200, TokenOut)
    @blp.alt_response(401, description="INVALID_CREDENTIALS")
    @blp.alt_response(403, description="ACCOUNT_PENDING / ACCOUNT_DELETED / PASSWORD_NOT_SET / ORG_PENDING / "
                                       "ORG_REJECTED")
    @blp.alt_response(429, description="ACCOUNT_LOCKED (this account from this address; Retry-After) / "
                                       "RATE_LIMITED")
    def post(self, body):
        """Password login (every identifier works). After several wrong passwords on the account the
        answer is CAPTCHA_REQUIRED (403; INVALID_CREDENTIALS carries captcha_required: true when the
        next attempt needs one): get a picture from POST /api/v1/auth/captcha and send captcha_id
        and captcha_answer with the login."""
        captcha = (body["captcha_id"], body.get("captcha_answer")) if body.get("captcha_id") else None
        token, account = login_service.login(body["account"], body["password"], config=current_app.config,
                                             ip=request.remote_addr, captcha=captcha)
        return {
            "token": token,
            "expires_in": current_app.config["SESSION_TTL_SECONDS"],
            "must_change_password": account.must_change_password,
            "restriction": login_service.session_restriction(account),
            "account": account_summary(account, viewer=account),
        }


@blp.route("/captcha")
class Captcha(MethodView):
    @blp.response(200, CaptchaOut)
    def post(self):
        """A captcha for the next login attempt: a picture of a small sum (one attempt, 5 minutes)."""
        return captcha_service.new_captcha()


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    @blp.doc(security=[{"bearer": []}])
    @session_required
    def post(self):
        """Revoke the calling token."""
        revoke_token(bearer_token())
        return None
