"""Volunteer registration, verification codes and password recovery (no login needed)."""
from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.domain.registration import EDUCATION_LEVELS, GENDERS, ID_TYPES
from app.errors import DomainError
from app.security.pii import mask_phone
from app.services import account_security, registration, verification
from app.services.login import find_account
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import Id

blp = Blueprint("registration", __name__, url_prefix="/api/v1", description="注册、验证码与找回密码")


class VolunteerRegistrationIn(Schema):
    username = fields.String(load_default=None, validate=validate.Length(max=32),
                             metadata={"description": "自设用户名（可选，以字母开头）"})
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))
    real_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    id_type = fields.String(
        load_default="mainland_id",
        validate=validate.OneOf(ID_TYPES),
        metadata={"description": "mainland_id（居民身份证）/ hk_macao_permit / taiwan_permit / passport"},
    )
    id_number = fields.String(required=True, validate=validate.Length(min=1, max=32))
    phone = fields.String(required=True, validate=validate.Length(min=1, max=20))
    sms_code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=10),
        metadata={"description": "POST /api/v1/verification-codes (purpose register) 发到手机的验证码"},
    )
    email = fields.Email(load_default=None, validate=validate.Length(max=254))
    education = fields.String(load_default=None, validate=validate.OneOf(EDUCATION_LEVELS))
    home_org_id = Id(required=True, metadata={"description": "归属组织"})
    service_intentions = fields.List(
        fields.String(validate=validate.Length(max=40)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "服务意向，如 网络文明"},
    )
    agreed = fields.Boolean(required=True, metadata={"description": "已阅读并同意《服务协议》"})


class VolunteerCreatedOut(Schema):
    volunteer_id = fields.Integer()
    volunteer_number = fields.String()
    review_status = fields.String()
    identity_check_status = fields.String()
    message = fields.String()


@blp.route("/volunteers")
class Volunteers(MethodView):
    @blp.arguments(VolunteerRegistrationIn())
    @blp.response(201, VolunteerCreatedOut)
    @blp.alt_response(409, description="ID_NUMBER_EXISTS / PHONE_EXISTS / EMAIL_EXISTS / USERNAME_EXISTS")
    @blp.alt_response(
        422,
        description="ID_FORMAT / ID_BIRTH_DATE / ID_CHECK_DIGIT / PHONE_FORMAT / "
        "USERNAME_FORMAT / WEAK_PASSWORD / AGREEMENT_REQUIRED / CODE_INVALID",
    )
    @blp.alt_response(404, description="ORG_NOT_FOUND")
    @blp.alt_response(429, description="RATE_LIMITED (per client address; Retry-After)")
    def post(self, body):
        """个人注册: 待审核 until the identity check and the home organisation's review."""
        volunteer = registration.register_volunteer(**body, ip=client_ip())
        return {
            "volunteer_id": volunteer.id,
            "volunteer_number": volunteer.volunteer_number,
            "review_status": volunteer.review_status,
            "identity_check_status": volunteer.identity_check_status,
            "message": "注册成功。系统将校验身份信息，归属组织管理员审核后以短信通知结果。",
        }


class VerificationCodeIn(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=20))
    purpose = fields.String(
        load_default="register",
        validate=validate.OneOf(("register", "change_phone")),
        metadata={"description": "register（注册）或 change_phone（更换手机号）"},
    )


class CodeSentOut(Schema):
    expires_in = fields.Integer()
    sent_to = fields.String()


def client_ip():
    return request.remote_addr or "unknown"


@blp.route("/verification-codes")
class VerificationCodes(MethodView):
    @blp.arguments(VerificationCodeIn())
    @blp.response(202, CodeSentOut)
    @blp.alt_response(409, description="PHONE_EXISTS (register: the phone already has an account)")
    @blp.alt_response(429, description="CODE_RATE_LIMITED (per phone and per IP)")
    def post(self, body):
        """An SMS code for registration or a phone change; expires, single use."""
        phone = registration.normalise_phone(body["phone"])
        registration.check_unique(phone=phone)
        ttl = verification.issue_code(purpose=body["purpose"], channel="sms", target=phone, ip=client_ip())
        return {"expires_in": ttl, "sent_to": mask_phone(phone)}


class RecoveryCodeIn(Schema):
    account = fields.String(
        required=True,
        validate=validate.Length(min=1, max=254),
        metadata={"description": "手机号、邮箱、证件号、用户名或志愿者编号"},
    )
    channel = fields.String(load_default="sms", validate=validate.OneOf(("sms", "email")))


class RecoveryResetIn(RecoveryCodeIn):
    code = fields.String(required=True, validate=validate.Length(min=1, max=10))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=128))


@blp.route("/password-recovery/code")
class RecoveryCode(MethodView):
    @blp.arguments(RecoveryCodeIn())
    @blp.response(202, CodeSentOut)
    @blp.alt_response(404, description="ACCOUNT_NOT_FOUND")
    @blp.alt_response(422, description="NO_RECOVERY_CHANNEL")
    @blp.alt_response(429, description="CODE_RATE_LIMITED")
    def post(self, body):
        """忘记密码: a code to the account's own phone (sms) or email."""
        sent_to = account_security.request_recovery_code(body["account"], body["channel"], ip=client_ip())
        return {"expires_in": verification.code_seconds(), "sent_to": sent_to}


@blp.route("/password-recovery/reset")
class RecoveryReset(MethodView):
    @blp.arguments(RecoveryResetIn())
    @blp.response(204)
    @blp.alt_response(422, description="CODE_INVALID / WEAK_PASSWORD")
    def post(self, body):
        """Set a new password with the code (also an imported account's first password)."""
        if find_account(body["account"]) is None:
            raise DomainError("CODE_INVALID")
        account_security.reset_password_with_code(body["account"], body["channel"], body["code"], body["new_password"])
        return None
