"""GET /api/v1/me/activities: the volunteer's own activities, grouped 已报名 / 已录用 / 已结束."""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.services import my_activities
from app.timeutil import utcnow
from miniprogram_api.activity_json import activity_summary, enrollment_json, page_json
from miniprogram_api.auth_context import login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import Page
from miniprogram_api.schemas import MyActivitiesOut

blp = Blueprint("my_activities", __name__, url_prefix="/api/v1/me", description="我的活动")


class MyActivitiesArgs(Schema):
    group = fields.String(validate=validate.OneOf(tuple(my_activities.MY_GROUPS)),
                          metadata={"description": "enrolled 已报名 / admitted 已录用 / ended 已结束; 省略则全部"})
    page = Page()
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


@blp.route("/activities")
class MyActivities(MethodView):
    @login_required
    @blp.arguments(MyActivitiesArgs(), location="query")
    @blp.response(200, MyActivitiesOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, args):
        """Every enrollment holding a place, each with its `group` and `group_label`;
        `counts` gives the size of each group."""
        now = utcnow()
        result = my_activities.my_activities_page(g.account.id, group=args.get("group"), now=now,
                                                  page=args["page"], per_page=args["per_page"])
        items = [{"activity": activity_summary(a, now), "enrollment": enrollment_json(e),
                  "group": group, "group_label": my_activities.MY_GROUPS[group]}
                 for e, a, group in result["rows"]]
        body = page_json(items, result["total"], args["page"], args["per_page"])
        body["counts"] = result["counts"]
        return body
