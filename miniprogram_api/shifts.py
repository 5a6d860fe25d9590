"""排班: an activity's shifts (anyone reads them; its admin adds and removes them) and 我的排班.
Volunteers pick a shift with `shift_id` at enrollment (POST /api/v1/activities/{id}/enrollment)."""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.domain import activity_rules
from app.services import shifts
from miniprogram_api.activity_json import IsoTime
from miniprogram_api.auth_context import admin_required, login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.community_json import shift
from miniprogram_api.schemas import ItemsOut, ShiftListOut, ShiftOut

blp = Blueprint("shifts", __name__, url_prefix="/api/v1", description="排班：活动的班次与我的排班")


@blp.route("/activities/<int:activity_id>/shifts")
class ActivityShifts(MethodView):
    @blp.response(200, ShiftListOut)
    @blp.alt_response(404, description="ACTIVITY_NOT_FOUND")
    def get(self, activity_id):
        """The activity's shifts in time order, with the places left in each."""
        return {"items": [shift(s) for s in shifts.shifts_of(activity_id)]}


class ShiftIn(Schema):
    starts_at = IsoTime(required=True, metadata={"description": "班次开始（ISO 8601，带时区）"})
    ends_at = IsoTime(required=True, metadata={"description": "班次结束（ISO 8601，带时区）"})
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=100000))


@blp.route("/admin/activities/<int:activity_id>/shifts")
class AdminActivityShifts(MethodView):
    @admin_required
    @blp.arguments(ShiftIn())
    @blp.response(201, ShiftOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.alt_response(409, description="ACTIVITY_REVOKED")
    @blp.alt_response(422, description="SHIFT_TIMES_INVALID / SHIFT_OUTSIDE_ACTIVITY / TOO_MANY_SHIFTS")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, activity_id):
        """Add a shift inside the activity's time; once an activity has shifts, enrollment picks one."""
        return shift(shifts.add_shift(g.account, activity_id, body["starts_at"], body["ends_at"], body["capacity"]))


@blp.route("/admin/activities/<int:activity_id>/shifts/<int:shift_id>")
class AdminActivityShift(MethodView):
    @blp.response(200, ShiftListOut)
    @blp.alt_response(404, description="NOT_FOUND / SHIFT_NOT_FOUND")
    @blp.alt_response(409, description="SHIFT_IN_USE")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def delete(self, activity_id, shift_id):
        """Remove a shift nobody holds a place in."""
        activity = shifts.remove_shift(g.account, activity_id, shift_id)
        return {"items": [shift(s) for s in activity.shifts]}


@blp.route("/me/shifts")
class MyShifts(MethodView):
    @blp.response(200, ItemsOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """我的排班: my shifts of enrollments that hold a place (待录用 / 已录用), soonest first."""
        items = []
        for row, enrollment, activity in shifts.my_shifts(g.account):
            data = shift(row)
            data.update({"activity_title": activity.title, "enrollment_status": enrollment.status,
                         "enrollment_status_label": activity_rules.ENROLLMENT_LABELS[enrollment.status]})
            items.append(data)
        return {"items": items}
