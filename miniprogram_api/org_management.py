"""组织管理: the organisation's own admin edits its 简介, contact, address, service categories and
logo, and its admin accounts; the logo is public."""
from flask import current_app, g, send_file
from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from app.security import pii
from app.services import org_management
from miniprogram_api.account_serializers import organisation_public
from miniprogram_api.auth_context import admin_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.schemas import BINARY, ManagedProfileOut, OrgAdminListOut

blp = Blueprint("org_management", __name__, url_prefix="/api/v1",
                description="组织管理：简介、联系方式、服务类别、标志与管理员")


def managed_profile(org):
    data = organisation_public(org)
    data["contact_phone"] = org_management.contact_phone(org)
    data["join_password_set"] = org.join_password_hash is not None
    return data


def admin_list(org, admins):
    return {"org_id": org.id, "items": [
        {"account_id": a.id, "username": a.username, "real_name": a.real_name,
         "phone": pii.mask_phone(a.phone or "")} for a in admins]}


class OrgProfileIn(Schema):
    description = fields.String(allow_none=True, validate=validate.Length(max=2000), metadata={"description": "简介"})
    contact_name = fields.String(allow_none=True, validate=validate.Length(max=64), metadata={"description": "联系人"})
    contact_phone = fields.String(allow_none=True, validate=validate.Regexp(r"^\+?[0-9][0-9 -]{5,18}[0-9]$"),
                                  metadata={"description": "联系电话（手机或固话）"})
    address = fields.String(allow_none=True, validate=validate.Length(max=255), metadata={"description": "地址"})
    service_categories = fields.List(fields.String(validate=validate.Length(min=1, max=40)), allow_none=True,
                                     validate=validate.Length(max=10), metadata={"description": "服务类别，最多 10 个"})


@blp.route("/admin/organisations/<int:org_id>/profile")
class OrgProfile(MethodView):
    @blp.response(200, ManagedProfileOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def get(self, org_id):
        """The organisation as its admin manages it (contact phone in full, whether a 免审密码 is set)."""
        org, _admins = org_management.admins_of(g.account, org_id)
        return managed_profile(org)

    @admin_required
    @blp.arguments(OrgProfileIn())
    @blp.response(200, ManagedProfileOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    def patch(self, body, org_id):
        """Edit 简介, contact person and phone, address and service categories (null clears one)."""
        return managed_profile(org_management.update_profile(g.account, org_id, body))


class OrgLogoIn(Schema):
    logo = Upload(required=True, metadata={"description": "JPEG 或 PNG，不超过 2 MB；保存为不超过 512×512 的图片"})


@blp.route("/admin/organisations/<int:org_id>/logo")
class OrgLogoUpload(MethodView):
    @admin_required
    @blp.arguments(OrgLogoIn(), location="files")
    @blp.response(200, ManagedProfileOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.alt_response(413, description="LOGO_TOO_LARGE")
    @blp.alt_response(415, description="LOGO_TYPE (not a JPEG or PNG by its content)")
    @blp.doc(security=[{"bearer": []}])
    def put(self, files, org_id):
        """Upload or replace the organisation's logo (multipart/form-data)."""
        org = org_management.replace_logo(g.account, org_id, files["logo"].stream,
                                          current_app.config["UPLOAD_DIR"])
        return managed_profile(org)


@blp.route("/organisations/<int:org_id>/logo")
class OrgLogo(MethodView):
    @blp.response(200, BINARY, content_type="image/jpeg")
    @blp.alt_response(404, description="NOT_FOUND")
    def get(self, org_id):
        """The organisation's logo (public; JPEG, or PNG when it has transparency)."""
        path = org_management.logo_file(org_id, current_app.config["UPLOAD_DIR"])
        response = send_file(path, mimetype="image/png" if path.suffix == ".png" else "image/jpeg", max_age=3600)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


class OrgAdminIn(Schema):
    account = fields.String(required=True, validate=validate.Length(min=1, max=64),
                            metadata={"description": "已注册帐号：用户名、手机号、邮箱、证件号或志愿者编号"})


@blp.route("/admin/organisations/<int:org_id>/admins")
class OrgAdmins(MethodView):
    @blp.response(200, OrgAdminListOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def get(self, org_id):
        """The organisation's admin accounts."""
        return admin_list(*org_management.admins_of(g.account, org_id))

    @admin_required
    @blp.arguments(OrgAdminIn())
    @blp.response(201, OrgAdminListOut)
    @blp.alt_response(404, description="NOT_FOUND / ACCOUNT_NOT_FOUND")
    @blp.alt_response(409, description="ADMIN_EXISTS")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, org_id):
        """Add an existing account as an admin of the organisation."""
        return admin_list(*org_management.add_admin(g.account, org_id, body["account"]))


@blp.route("/admin/organisations/<int:org_id>/admins/<int:account_id>")
class OrgAdminAccount(MethodView):
    @blp.response(200, OrgAdminListOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.alt_response(409, description="LAST_ADMIN")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def delete(self, org_id, account_id):
        """Remove an admin account (never the organisation's last one; one may remove oneself)."""
        return admin_list(*org_management.remove_admin(g.account, org_id, account_id))
