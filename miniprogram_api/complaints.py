"""投诉 / 举报: filed by anyone logged in (text and up to three images), handled by the
organisation above the target with a resolution; the complainant sees the state."""
from flask import current_app, g, send_file
from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from app.domain import complaints as complaint_rules
from app.services import complaints
from miniprogram_api.auth_context import admin_required, login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import Id
from miniprogram_api.community_json import complaint, complaint_for_handler, page_of
from miniprogram_api.schemas import BINARY, ComplaintForHandlerOut, ComplaintListOut, ComplaintOut, ComplaintPageOut

blp = Blueprint("complaints", __name__, url_prefix="/api/v1", description="投诉与举报")


class ComplaintForm(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(tuple(complaint_rules.KINDS)),
                         metadata={"description": "complaint 投诉 / report 举报"})
    target_type = fields.String(required=True, validate=validate.OneOf(tuple(complaint_rules.TARGETS)),
                                metadata={"description": "organisation 组织 / activity 活动 / volunteer 志愿者 / "
                                                         "record 时长记录"})
    target_id = Id(required=True)
    text = fields.String(required=True, validate=validate.Length(max=20000),
                         metadata={"description": "1–1000 字"})


class ComplaintImages(Schema):
    images = fields.List(Upload(), load_default=list,
                         metadata={"description": "可选：最多 3 张 JPEG 或 PNG，每张不超过 5 MB"})


@blp.route("/complaints")
class Complaints(MethodView):
    @login_required
    @blp.arguments(ComplaintForm(), location="form")
    @blp.arguments(ComplaintImages(), location="files")
    @blp.response(201, ComplaintOut)
    @blp.alt_response(404, description="COMPLAINT_TARGET_NOT_FOUND")
    @blp.alt_response(413, description="COMPLAINT_IMAGE_TOO_LARGE")
    @blp.alt_response(415, description="COMPLAINT_IMAGE_TYPE")
    @blp.alt_response(422, description="COMPLAINT_TEXT_INVALID")
    @blp.alt_response(429, description="COMPLAINT_RATE_LIMITED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, form, files):
        """File a 投诉 or 举报 (multipart/form-data); the organisation above the target handles it."""
        row = complaints.file_complaint(g.account, **form, image_streams=[f.stream for f in files["images"]],
                                        upload_dir=current_app.config["UPLOAD_DIR"])
        return complaint(row)


@blp.route("/me/complaints")
class MyComplaints(MethodView):
    @blp.response(200, ComplaintListOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """My complaints and reports with their state and resolution, newest first."""
        return {"items": [complaint(c) for c in complaints.mine(g.account)]}


class HandlerQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(tuple(complaint_rules.LABELS)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


@blp.route("/admin/complaints")
class AdminComplaints(MethodView):
    @admin_required
    @blp.arguments(HandlerQuery(), location="query")
    @blp.response(200, ComplaintPageOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, query):
        """The complaints and reports my organisations handle (status=pending: still open)."""
        rows, total = complaints.for_handler(g.account, **query)
        return page_of([complaint_for_handler(c) for c in rows], total, query)


class ResolutionIn(Schema):
    resolution = fields.String(required=True, validate=validate.Length(max=20000),
                               metadata={"description": "处理结果，1–1000 字，发送给投诉人"})


@blp.route("/admin/complaints/<int:complaint_id>/resolution")
class ComplaintResolution(MethodView):
    @admin_required
    @blp.arguments(ResolutionIn())
    @blp.response(200, ComplaintForHandlerOut)
    @blp.alt_response(404, description="COMPLAINT_NOT_FOUND (also another organisation's)")
    @blp.alt_response(409, description="COMPLAINT_ALREADY_RESOLVED")
    @blp.alt_response(422, description="COMPLAINT_TEXT_INVALID")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, complaint_id):
        """Resolve with a resolution; the complainant is notified (audited)."""
        return complaint_for_handler(complaints.resolve(g.account, complaint_id, body["resolution"]))


@blp.route("/admin/complaints/<int:complaint_id>/images/<int:number>")
class ComplaintImage(MethodView):
    @blp.response(200, BINARY, content_type="image/jpeg")
    @blp.alt_response(404, description="COMPLAINT_NOT_FOUND / NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def get(self, complaint_id, number):
        """One of the complaint's images (1-based), to its handlers only."""
        path = complaints.image_file(g.account, complaint_id, number, current_app.config["UPLOAD_DIR"])
        response = send_file(path, mimetype="image/png" if path.suffix == ".png" else "image/jpeg", max_age=0)
        response.headers["Cache-Control"] = "no-store, private"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
