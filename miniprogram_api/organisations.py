"""Organisations: public search and page (anyone), 组织注册 (multipart with the ID photo), and
the parent admin's review, correction, ID photo and password reset of child organisations."""
from flask import current_app, g, request, send_file
from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from app.domain.registration import ID_TYPES
from app.services import account_security, organisations
from app.services.organisations import ORG_CATEGORIES, REGISTRABLE_CATEGORIES
from miniprogram_api.account_serializers import organisation_for_reviewer, organisation_public
from miniprogram_api.auth_context import admin_required, optional_login
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import Id
from miniprogram_api.schemas import (
    BINARY,
    OrganisationCreatedOut,
    OrganisationForReviewerOut,
    OrganisationListOut,
    OrganisationPageOut,
    OrganisationRegistrationsOut,
    SentToOut,
)

blp = Blueprint("organisations", __name__, url_prefix="/api/v1", description="志愿组织")


class OrgSearchQuery(Schema):
    name = fields.String(load_default=None, validate=validate.Length(max=120))
    category = fields.String(load_default=None, validate=validate.OneOf(ORG_CATEGORIES))
    region = fields.String(load_default=None, validate=validate.Length(max=12),
                           metadata={"description": "行政区划代码前缀，如 4401（广州）"})
    parent_id = Id(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class OrgRegistrationForm(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=120))
    category = fields.String(
        required=True,
        validate=validate.OneOf(REGISTRABLE_CATEGORIES),
        metadata={"description": "city 地市 / industry 行业 / university 高校 / social 社会组织 / team 队伍"},
    )
    parent_id = Id(required=True, metadata={"description": "归属单位"})
    is_legal_person = fields.Boolean(load_default=False)
    region_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$"))
    description = fields.String(load_default=None, validate=validate.Length(max=2000))
    contact_phone = fields.String(load_default=None, validate=validate.Length(max=20))
    agreed = fields.Boolean(required=True)
    # The admin's identity and account; omitted when an account is logged in (it becomes the admin).
    username = fields.String(load_default=None, validate=validate.Length(max=32))
    password = fields.String(load_default=None, validate=validate.Length(max=128))
    real_name = fields.String(load_default=None, validate=validate.Length(max=64))
    id_type = fields.String(load_default="mainland_id", validate=validate.OneOf(ID_TYPES))
    id_number = fields.String(load_default=None, validate=validate.Length(max=32))
    phone = fields.String(load_default=None, validate=validate.Length(max=20))
    sms_code = fields.String(load_default=None, validate=validate.Length(max=10))
    email = fields.Email(load_default=None)


class OrgPhoto(Schema):
    id_photo = Upload(load_default=None, metadata={"description": "手持证件照，JPEG 或 PNG，不超过 5 MB"})


@blp.route("/organisations")
class Organisations(MethodView):
    @blp.arguments(OrgSearchQuery(), location="query")
    @blp.response(200, OrganisationListOut)
    def get(self, query):
        """Search organisations by name, category and region (approved ones only)."""
        rows, total = organisations.search(**query)
        return {
            "items": [organisation_public(o) for o in rows],
            "total": total,
            "page": query["page"],
            "per_page": query["per_page"],
        }

    @blp.arguments(OrgRegistrationForm(), location="form")
    @blp.arguments(OrgPhoto(), location="files")
    @blp.response(201, OrganisationCreatedOut)
    @blp.alt_response(409, description="ID_NUMBER_EXISTS / PHONE_EXISTS / EMAIL_EXISTS / USERNAME_EXISTS")
    @blp.alt_response(413, description="PHOTO_TOO_LARGE")
    @blp.alt_response(415, description="PHOTO_TYPE")
    @blp.alt_response(422, description="PHOTO_REQUIRED / CODE_INVALID / ID_* / WEAK_PASSWORD / AGREEMENT_REQUIRED")
    @blp.alt_response(429, description="RATE_LIMITED (per client address; Retry-After)")
    def post(self, form, files):
        """组织注册 (multipart/form-data): 待审核 until the parent organisation's admin reviews."""
        current = optional_login()
        org = organisations.register_organisation(
            **form,
            photo=files["id_photo"].stream if files.get("id_photo") else None,
            current_account=current,
            upload_dir=current_app.config["UPLOAD_DIR"],
            ip=request.remote_addr or "unknown",
        )
        return {
            "id": org.id,
            "status": org.status,
            "message": "注册资料已提交，等待归属单位审核，审核结果将以短信方式通知。",
        }


@blp.route("/organisations/<int:org_id>")
class OrganisationPage(MethodView):
    @blp.response(200, OrganisationPageOut)
    @blp.alt_response(404, description="ORG_NOT_FOUND")
    def get(self, org_id):
        """An organisation's page: its counts, its subtree's totals and its child organisations."""
        org, subtree, children = organisations.organisation_page(org_id)
        data = organisation_public(org)
        data["subtree"] = subtree
        data["children"] = [organisation_public(c) for c in children]
        return data


class OrgRegistrationQuery(Schema):
    status = fields.String(load_default="pending", validate=validate.OneOf(("pending", "approved", "rejected")))


class OrgReviewIn(Schema):
    approve = fields.Boolean(required=True)
    reason = fields.String(load_default=None, validate=validate.Length(max=255))


class OrgCorrectionIn(Schema):
    name = fields.String(validate=validate.Length(min=2, max=120))
    category = fields.String(validate=validate.OneOf(REGISTRABLE_CATEGORIES))
    region_code = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{6}$"))
    is_legal_person = fields.Boolean()
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))


@blp.route("/admin/organisations")
class AdminOrganisations(MethodView):
    @admin_required
    @blp.arguments(OrgRegistrationQuery(), location="query")
    @blp.response(200, OrganisationRegistrationsOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, query):
        """组织注册审核: registrations of child organisations under mine."""
        rows = organisations.list_registrations(g.account, query["status"])
        return {"items": [organisation_for_reviewer(o, organisations.org_admins(o)) for o in rows]}


@blp.route("/admin/organisations/<int:org_id>")
class AdminOrganisation(MethodView):
    @admin_required
    @blp.arguments(OrgCorrectionIn())
    @blp.response(200, OrganisationForReviewerOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    def patch(self, body, org_id):
        """Correct a child organisation's data; a rejected registration goes back to 待审核."""
        org = organisations.correct_organisation(g.account, org_id, body)
        return organisation_for_reviewer(org, organisations.org_admins(org))


@blp.route("/admin/organisations/<int:org_id>/review")
class AdminOrganisationReview(MethodView):
    @admin_required
    @blp.arguments(OrgReviewIn())
    @blp.response(200, OrganisationForReviewerOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.alt_response(409, description="ALREADY_REVIEWED")
    @blp.alt_response(422, description="REASON_REQUIRED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, org_id):
        """Pass or reject (reason required) a child organisation's registration; notified by SMS."""
        org = organisations.review_organisation(g.account, org_id, body["approve"], body.get("reason"))
        return organisation_for_reviewer(org, organisations.org_admins(org))


@blp.route("/admin/organisations/<int:org_id>/id-photo")
class AdminOrganisationPhoto(MethodView):
    @blp.response(200, BINARY, content_type="image/jpeg")
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def get(self, org_id):
        """The hand-held ID photo, to the reviewing admins only (audited, never cached)."""
        path = organisations.id_photo_file(g.account, org_id, current_app.config["UPLOAD_DIR"])
        response = send_file(path, mimetype="image/png" if path.suffix == ".png" else "image/jpeg", max_age=0)
        response.headers["Cache-Control"] = "no-store, private"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


@blp.route("/admin/organisations/<int:org_id>/admins/<int:account_id>/password-reset")
class AdminOrgPasswordReset(MethodView):
    @blp.response(200, SentToOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def post(self, org_id, account_id):
        """重置组织密码: the child organisation's admin gets a temporary password by SMS."""
        return {"sent_to": account_security.admin_reset_org_admin_password(g.account, org_id, account_id)}
