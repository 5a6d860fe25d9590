"""完善资料 (service side): 背景经历, 特长, 服务信息, the avatar and the completeness indicator."""
from flask import current_app, g, send_file
from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from app.domain import profile as profile_rules
from app.services import profile_completion
from miniprogram_api.auth_context import login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.schemas import BINARY, ServiceProfileOut

blp = Blueprint("me_profile", __name__, url_prefix="/api/v1/me",
                description="完善资料：头像、背景经历、特长、服务信息与资料完整度")


class ServiceProfileIn(Schema):
    background = fields.String(allow_none=True, validate=validate.Length(max=profile_rules.MAX_BACKGROUND_CHARS),
                               metadata={"description": "背景经历，不超过 1000 字"})
    specialties = fields.List(fields.String(validate=validate.Length(max=100)), allow_none=True,
                              validate=validate.Length(max=50),
                              metadata={"description": "特长，最多 10 项，每项不超过 20 字"})
    service_intentions = fields.List(fields.String(validate=validate.Length(min=1, max=40)), allow_none=True,
                                     validate=validate.Length(max=20), metadata={"description": "服务意向"})
    available_times = fields.List(fields.String(validate=validate.OneOf(tuple(profile_rules.AVAILABLE_TIMES))),
                                  allow_none=True, validate=validate.Length(max=len(profile_rules.AVAILABLE_TIMES)),
                                  metadata={"description": "可服务时间：" + " / ".join(
                                      f"{k} {v}" for k, v in profile_rules.AVAILABLE_TIMES.items())})


@blp.route("/service-profile")
class ServiceProfile(MethodView):
    @blp.response(200, ServiceProfileOut)
    @blp.alt_response(403, description="NOT_A_VOLUNTEER")
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """My service profile and its completeness (percent and what is missing)."""
        return profile_completion.completion(g.account)

    @login_required
    @blp.arguments(ServiceProfileIn())
    @blp.response(200, ServiceProfileOut)
    @blp.alt_response(422, description="VALIDATION_ERROR (oversized text, unknown time) / SPECIALTIES_INVALID")
    @blp.doc(security=[{"bearer": []}])
    def patch(self, body):
        """Edit 背景经历, 特长, service intentions and available times (null clears one)."""
        return profile_completion.completion(profile_completion.update_service_profile(g.account, body))


class AvatarIn(Schema):
    avatar = Upload(required=True, metadata={"description": "JPEG 或 PNG，不超过 5 MB；保存为不超过 256×256 的图片"})


@blp.route("/avatar")
class Avatar(MethodView):
    @blp.response(200, BINARY, content_type="image/jpeg")
    @blp.alt_response(404, description="AVATAR_NOT_SET")
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """My avatar as stored (JPEG, or PNG when it has transparency)."""
        path = profile_completion.avatar_file(g.account, current_app.config["UPLOAD_DIR"])
        response = send_file(path, mimetype="image/png" if path.suffix == ".png" else "image/jpeg", max_age=0)
        response.headers["Cache-Control"] = "no-store, private"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @login_required
    @blp.arguments(AvatarIn(), location="files")
    @blp.response(200, ServiceProfileOut)
    @blp.alt_response(413, description="AVATAR_TOO_LARGE")
    @blp.alt_response(415, description="AVATAR_TYPE (not a JPEG or PNG by its content)")
    @blp.doc(security=[{"bearer": []}])
    def put(self, files):
        """Upload or replace my avatar (multipart/form-data); answers the completeness."""
        account = profile_completion.replace_avatar(g.account, files["avatar"].stream,
                                                    current_app.config["UPLOAD_DIR"])
        return profile_completion.completion(account)
