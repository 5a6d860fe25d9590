"""留言 on activities and organisations: anyone reads them, logged-in volunteers post, "my
comments", and the owning organisation's admin hides one with a reason."""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.domain import comments as comment_rules
from app.services import comments
from miniprogram_api.auth_context import admin_required, login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.community_json import comment, my_comment, page_of
from miniprogram_api.schemas import CommentOut, CommentPageOut, MyCommentOut, MyCommentPageOut

blp = Blueprint("comments", __name__, url_prefix="/api/v1", description="留言：活动与组织的留言、我的留言、隐藏留言")


class CommentPageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class CommentIn(Schema):
    # Longer texts reach the rule, which answers COMMENT_TOO_LONG with the limit.
    text = fields.String(required=True, validate=validate.Length(max=20000),
                         metadata={"description": f"1–{comment_rules.MAX_CHARS} 字"})


def _comment_views(target_type, path, noun):
    """The list and post operations of one kind of target (activity or organisation)."""

    @blp.route(path, endpoint=f"{target_type}_comments")
    class TargetComments(MethodView):
        @blp.arguments(CommentPageQuery(), location="query")
        @blp.response(200, CommentPageOut)
        @blp.alt_response(404, description="ACTIVITY_NOT_FOUND / ORG_NOT_FOUND")
        @blp.doc(summary=f"{noun}的留言，最新在前（已隐藏的不显示）")
        def get(self, query, target_id):
            rows, total = comments.list_for(target_type, target_id, **query)
            return page_of([comment(r) for r in rows], total, query)

        @login_required
        @blp.arguments(CommentIn())
        @blp.response(201, CommentOut)
        @blp.alt_response(403, description="NOT_A_VOLUNTEER")
        @blp.alt_response(404, description="ACTIVITY_NOT_FOUND / ORG_NOT_FOUND")
        @blp.alt_response(422, description="COMMENT_EMPTY / COMMENT_TOO_LONG")
        @blp.alt_response(429, description="COMMENT_RATE_LIMITED")
        @blp.doc(security=[{"bearer": []}], summary=f"给{noun}留言（登录的志愿者）")
        def post(self, body, target_id):
            return comment(comments.post(g.account, target_type, target_id, body["text"]))

    return TargetComments


ActivityComments = _comment_views("activity", "/activities/<int:target_id>/comments", "活动")
OrganisationComments = _comment_views("organisation", "/organisations/<int:target_id>/comments", "组织")


@blp.route("/me/comments")
class MyComments(MethodView):
    @login_required
    @blp.arguments(CommentPageQuery(), location="query")
    @blp.response(200, MyCommentPageOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, query):
        """我的留言, newest first, hidden ones included with the reason."""
        rows, total = comments.mine(g.account, **query)
        return page_of([my_comment(r) for r in rows], total, query)


class CommentHidingIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=255))


@blp.route("/admin/comments/<int:comment_id>/hiding")
class CommentHiding(MethodView):
    @admin_required
    @blp.arguments(CommentHidingIn())
    @blp.response(200, MyCommentOut)
    @blp.alt_response(404, description="COMMENT_NOT_FOUND (also another organisation's comment)")
    @blp.alt_response(409, description="COMMENT_ALREADY_HIDDEN")
    @blp.alt_response(422, description="REASON_REQUIRED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, comment_id):
        """Hide a comment on my organisation or its activities (reason required, audited)."""
        return my_comment(comments.hide(g.account, comment_id, body["reason"]))
