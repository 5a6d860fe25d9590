"""团体报名: an organisation's admin enrolls a group of its own volunteers in an activity at once."""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.domain.group_enrollment import MAX_GROUP
from app.services import group_enrollment
from miniprogram_api.activity_json import enrollment_json
from miniprogram_api.auth_context import admin_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import Id
from miniprogram_api.schemas import GroupEnrollmentOut

blp = Blueprint("group_enrollment", __name__, url_prefix="/api/v1", description="团体报名")


class GroupEnrollmentIn(Schema):
    org_id = Id(required=True, metadata={"description": "报名的组织（我管理的组织）"})
    volunteer_ids = fields.List(Id(), required=True, validate=validate.Length(max=MAX_GROUP),
                                metadata={"description": "本组织的志愿者（归属本组织或已加入本组织），最多 200 人"})
    position_id = Id(allow_none=True, metadata={"description": "活动设有岗位时必填"})
    shift_id = Id(allow_none=True, metadata={"description": "活动设有班次时必填"})


@blp.route("/admin/activities/<int:activity_id>/group-enrollments")
class GroupEnrollment(MethodView):
    @admin_required
    @blp.arguments(GroupEnrollmentIn())
    @blp.response(201, GroupEnrollmentOut)
    @blp.alt_response(404, description="NOT_FOUND (an organisation I do not manage) / ACTIVITY_NOT_FOUND")
    @blp.alt_response(409, description="GROUP_ENROLLMENT_REFUSED (`refused`: [{volunteer_id, code, message}]) / "
                                       "ENROLLMENT_NOT_OPEN / QUOTA_FULL / POSITION_FULL / SHIFT_FULL (places_left)")
    @blp.alt_response(422, description="GROUP_EMPTY / TOO_MANY_IDS / POSITION_REQUIRED / SHIFT_REQUIRED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, activity_id):
        """Enroll a group of my organisation's volunteers (待录用), all or none, within the places left."""
        enrollments = group_enrollment.enroll_group(g.account, body["org_id"], activity_id, body["volunteer_ids"],
                                                    body.get("position_id"), body.get("shift_id"))
        return {"activity_id": activity_id, "enrolled": [e.volunteer_id for e in enrollments],
                "enrollments": [enrollment_json(e) for e in enrollments]}
