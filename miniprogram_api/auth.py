"""POST /api/v1/auth/login and /logout."""
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.services import login as login_service
from app.services.sessions import revoke_token
from miniprogram_api.auth_context import bearer_token, session_required
from miniprogram_api.serializers import account_summary

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="登录与会话")


class LoginIn(Schema):
    account = fields.String(required=True, validate=validate.Length(min=1, max=254),
                            metadata={"description": "手机号、邮箱、身份证号、用户名或志愿者编号"})
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


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
    @blp.alt_response(429, description="ACCOUNT_LOCKED / RATE_LIMITED")
    def post(self, body):
        """Password login (every identifier works)."""
        token, account = login_service.login(body["account"], body["password"], config=current_app.config)
        return {
            "token": token,
            "expires_in": current_app.config["SESSION_TTL_SECONDS"],
            "must_change_password": account.must_change_password,
            "restriction": login_service.session_restriction(account),
            "account": account_summary(account, viewer=account),
        }


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    @blp.doc(security=[{"bearer": []}])
    @session_required
    def post(self):
        """Revoke the calling token."""
        revoke_token(bearer_token())
        return None
