"""The caller's own account: full profile (only to themself), 完善资料, password, home organisation."""
from flask import current_app, g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.domain.registration import EDUCATION_LEVELS, GENDERS, ID_TYPES
from app.domain.username_change import next_change_allowed_at
from app.services import account_security, home_org, registration, username_change
from app.timeutil import to_iso
from miniprogram_api.account_serializers import home_org_change, owner_profile
from miniprogram_api.auth_context import allowed_while, login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import Id
from miniprogram_api.schemas import HomeOrgChangeOut, ProfileOut, UsernameChangedOut

blp = Blueprint("me_account", __name__, url_prefix="/api/v1/me", description="我的资料、密码与归属组织")


class ProfileIn(Schema):
    real_name = fields.String(validate=validate.Length(min=1, max=64))
    gender = fields.String(validate=validate.OneOf(GENDERS))
    id_type = fields.String(validate=validate.OneOf(ID_TYPES))
    id_number = fields.String(validate=validate.Length(min=1, max=32))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    education = fields.String(allow_none=True, validate=validate.OneOf(EDUCATION_LEVELS))
    home_org_id = Id()
    service_intentions = fields.List(fields.String(validate=validate.Length(max=40)), validate=validate.Length(max=20))
    phone = fields.String(validate=validate.Length(min=1, max=20))
    sms_code = fields.String(validate=validate.Length(min=1, max=10),
                             metadata={"description": "更换手机号时：发到新手机号的验证码 (purpose change_phone)"})


@blp.route("/profile")
class Profile(MethodView):
    @blp.response(200, ProfileOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    @allowed_while("ACCOUNT_REJECTED")
    def get(self):
        """My own data in full (ID number and phone unmasked, to the owner only)."""
        return owner_profile(g.account)

    @login_required
    @allowed_while("ACCOUNT_REJECTED")
    @blp.arguments(ProfileIn())
    @blp.response(200, ProfileOut)
    @blp.alt_response(409, description="ID_NUMBER_EXISTS / PHONE_EXISTS / EMAIL_EXISTS")
    @blp.alt_response(422, description="VALIDATION_ERROR (a field that may not change now) / ID_* / CODE_INVALID")
    @blp.doc(security=[{"bearer": []}])
    def patch(self, body):
        """完善资料: a rejected registration is fixed and goes back to 待审核."""
        phone, sms_code = body.pop("phone", None), body.pop("sms_code", None)
        registration.update_profile(g.account, body, phone=phone, sms_code=sms_code)
        return owner_profile(g.account)


class PasswordChangeIn(Schema):
    old_password = fields.String(required=True, validate=validate.Length(min=1, max=128))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class PasswordChangedOut(Schema):
    token = fields.String(metadata={"description": "a new token: every other session has ended"})
    expires_in = fields.Integer()


@blp.route("/password")
class Password(MethodView):
    @login_required
    @allowed_while("PASSWORD_CHANGE_REQUIRED", "ACCOUNT_REJECTED")
    @blp.arguments(PasswordChangeIn())
    @blp.response(200, PasswordChangedOut)
    @blp.alt_response(403, description="WRONG_PASSWORD")
    @blp.alt_response(422, description="WEAK_PASSWORD")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body):
        """修改密码 (also the forced change after an admin reset)."""
        ttl = current_app.config["SESSION_TTL_SECONDS"]
        token = account_security.change_password(g.account, body["old_password"], body["new_password"],
                                                 ttl_seconds=ttl)
        return {"token": token, "expires_in": ttl}


class HomeOrgChangeIn(Schema):
    org_id = Id(required=True)


@blp.route("/home-org-change")
class HomeOrgChange(MethodView):
    @login_required
    @blp.arguments(HomeOrgChangeIn())
    @blp.response(201, HomeOrgChangeOut)
    @blp.alt_response(409, description="HOME_ORG_SAME / HOME_ORG_CHANGE_PENDING / HOME_ORG_CHANGE_NOT_ALLOWED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body):
        """Ask to move to another home organisation; effective when that organisation approves."""
        return home_org_change(home_org.request_change(g.account, body["org_id"]))


class UsernameIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64),
                             metadata={"description": "4–32 位字母、数字、下划线或减号，以字母开头"})


@blp.route("/username")
class Username(MethodView):
    @login_required
    @blp.arguments(UsernameIn())
    @blp.response(200, UsernameChangedOut)
    @blp.alt_response(409, description="USERNAME_EXISTS / USERNAME_SAME / USERNAME_CHANGE_TOO_SOON (next_allowed_at)")
    @blp.alt_response(422, description="USERNAME_FORMAT")
    @blp.doc(security=[{"bearer": []}])
    def patch(self, body):
        """修改用户名: at most once per 180 days; the old name no longer logs in."""
        account = username_change.change_username(g.account, body["username"])
        return {"username": account.username, "changed_at": to_iso(account.username_changed_at),
                "next_change_allowed_at": to_iso(next_change_allowed_at(account.username_changed_at))}
