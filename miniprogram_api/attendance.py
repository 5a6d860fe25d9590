"""Scan to clock, check-in / check-out codes, 面验 and the admin's scan of a personal code."""
from flask import Response, current_app, g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.errors import DomainError
from app.services import clocking, code_images, face_check
from app.timeutil import to_iso
from miniprogram_api.auth_context import admin_required, login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import Id
from miniprogram_api.schemas import BINARY, FaceCheckOut

blp = Blueprint("attendance", __name__, url_prefix="/api/v1", description="签到签退与面验")

KIND = fields.String(required=True, validate=validate.OneOf(("checkin", "checkout")),
                     metadata={"description": "checkin 签到 / checkout 签退"})


class ScanIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128),
                         metadata={"description": "扫到的签到/签退码（或小程序码的 scene）"})
    latitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90),
                            metadata={"description": "gcj02 纬度（wx.getLocation type=gcj02）"})
    longitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180),
                             metadata={"description": "gcj02 经度"})
    accuracy = fields.Float(load_default=None, allow_none=True, validate=validate.Range(0, 100_000),
                            metadata={"description": "定位精度，米（wx.getLocation 的 accuracy）；"
                                                     "大于活动签到半径时拒绝（CLOCK_POSITION_INACCURATE）"})


class ScanOut(Schema):
    kind = fields.String()
    activity_id = fields.Integer()
    at = fields.String(metadata={"description": "ISO 8601 +08:00"})
    minutes = fields.Integer(metadata={"description": "签退时：本次签到以来的分钟数"})


class QrcodeIn(Schema):
    kind = KIND
    surface = fields.String(load_default="qrcode", validate=validate.OneOf(("qrcode", "wxacode", "mp_qrcode")),
                            metadata={"description": "qrcode 普通二维码（默认）/ wxacode 小程序码 / "
                                                     "mp_qrcode 服务号带参数二维码"})


class QrcodeOut(Schema):
    code = fields.String()
    image_url = fields.String()
    expires_at = fields.String()
    kind = fields.String()
    activity_id = fields.Integer()
    surface = fields.String()
    ticket = fields.String(metadata={"description": "mp_qrcode: 微信二维码 ticket"})
    qr_url = fields.String(metadata={"description": "mp_qrcode: 二维码内容 URL"})


class FaceCheckIn(Schema):
    activity_id = Id(required=True, metadata={"description": "志愿者报名的、本组织的活动"})


class ScanVolunteerIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128),
                         metadata={"description": "志愿者的动态个人码"})
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("checkin", "checkout")),
                         metadata={"description": "省略时自动：今天已签到未签退则签退，否则签到"})


# Where each surface's image of a clock code is served (the routes below).
IMAGE_PATHS = {
    "qrcode": "/api/v1/attendance/codes/{code}.png",
    "wxacode": "/api/v1/attendance/codes/{code}/wxacode.png",
    "mp_qrcode": "/api/v1/attendance/codes/{code}/mp.png",
}


def _url(path):
    return current_app.config["PUBLIC_BASE_URL"] + path


@blp.route("/attendance/scan")
class Scan(MethodView):
    @login_required
    @blp.arguments(ScanIn())
    @blp.response(200, ScanOut)
    @blp.alt_response(400, description="CLOCK_CODE_INVALID")
    @blp.alt_response(410, description="CLOCK_CODE_EXPIRED")
    @blp.alt_response(403, description="CLOCK_NOT_ADMITTED / CLOCK_NOT_FACE_CHECKED / CLOCK_TOO_FAR")
    @blp.alt_response(409, description="CLOCK_OUTSIDE_ACTIVITY_TIME / CLOCK_DAILY_LIMIT / "
                                       "CHECKOUT_WITHOUT_CHECKIN")
    @blp.alt_response(422, description="CLOCK_LOCATION_REQUIRED / CLOCK_POSITION_INVALID / "
                                       "CLOCK_POSITION_INACCURATE")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body):
        """Scan a check-in / check-out code; a repeated scan returns the first result. An activity
        with a venue needs the position (unless its admin turned that off)."""
        return clocking.scan(g.caller.account_id, body["code"], "miniprogram",
                             latitude=body.get("latitude"), longitude=body.get("longitude"),
                             accuracy=body.get("accuracy"))


@blp.route("/admin/activities/<int:activity_id>/qrcode")
class ClockCode(MethodView):
    @admin_required
    @blp.arguments(QrcodeIn())
    @blp.response(200, QrcodeOut)
    @blp.alt_response(409, description="CLOCK_CODE_NOT_YET / ACTIVITY_REVOKED")
    @blp.alt_response(502, description="WECHAT_CODE_FAILED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, activity_id):
        """Issue a signed check-in / check-out code (valid CLOCK_CODE_SECONDS)."""
        issued = code_images.issue_on_surface(g.account, activity_id, body["kind"], body["surface"])
        return {**issued, "expires_at": to_iso(issued["expires_at"]),
                "image_url": _url(IMAGE_PATHS[issued["surface"]].format(code=issued["code"]))}


@blp.route("/admin/activities/<int:activity_id>/scan-volunteer")
class ScanVolunteer(MethodView):
    @admin_required
    @blp.arguments(ScanVolunteerIn())
    @blp.response(200, ScanOut)
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, activity_id):
        """Scan a volunteer's 30-second personal code to clock them in or out."""
        return clocking.scan_volunteer(g.account, activity_id, body["code"], kind=body.get("kind"))


@blp.route("/admin/volunteers/<int:volunteer_id>/face-check")
class FaceCheck(MethodView):
    @admin_required
    @blp.arguments(FaceCheckIn())
    @blp.response(200, FaceCheckOut)
    @blp.alt_response(409, description="FACE_CHECK_DONE / VOLUNTEER_NOT_ENROLLED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, volunteer_id):
        """面验: mark a volunteer enrolled in one of the admin's activities as identity-checked."""
        volunteer = face_check.mark_checked(g.account, volunteer_id, body["activity_id"])
        return {"volunteer_id": volunteer.id, "face_checked": True,
                "face_checked_at": to_iso(volunteer.face_checked_at),
                "face_checked_by": volunteer.face_checked_by,
                "activity_id": volunteer.face_checked_activity_id}


def _png(data, seconds=60):
    return Response(data, mimetype="image/png", headers={"Cache-Control": f"private, max-age={seconds}"})


@blp.route("/attendance/codes/<string:code>.png")
class CodeImage(MethodView):
    @blp.response(200, BINARY, content_type="image/png")
    def get(self, code):
        """The PNG of a clock code or personal code (the URL holds nothing but the code)."""
        image = code_images.code_png(code)
        if image is None:
            raise DomainError("NOT_FOUND")
        return _png(image)


@blp.route("/attendance/codes/<string:code>/wxacode.png")
class WxaCodeImage(MethodView):
    @blp.response(200, BINARY, content_type="image/png")
    def get(self, code):
        """The mini-program code issued for a live clock code."""
        image = code_images.surface_png(code, "wxacode")
        if image is None:
            raise DomainError("NOT_FOUND")
        return _png(image)


@blp.route("/attendance/codes/<string:code>/mp.png")
class MpQrImage(MethodView):
    @blp.response(200, BINARY, content_type="image/png")
    def get(self, code):
        """The service account's parametric QR code issued for a live clock code."""
        image = code_images.surface_png(code, "mp_qrcode")
        if image is None:
            raise DomainError("NOT_FOUND")
        return _png(image)
