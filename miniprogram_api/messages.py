"""消息中心: my notices with the unread count; mark read."""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.services import messages
from miniprogram_api.activity_json import page_json
from miniprogram_api.auth_context import login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import Id
from miniprogram_api.schemas import MessagesOut, UnreadCountOut

blp = Blueprint("messages", __name__, url_prefix="/api/v1/me", description="消息中心")


class MessagesIn(Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "只看未读"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class ReadIn(Schema):
    ids = fields.List(Id(), load_default=None, allow_none=True, validate=validate.Length(max=200),
                      metadata={"description": "要标记为已读的消息 id；省略则全部标记为已读"})


@blp.route("/messages")
class MyMessages(MethodView):
    @login_required
    @blp.arguments(MessagesIn(), location="query")
    @blp.response(200, MessagesOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, args):
        """Every notice sent to me (review results, invitations, admissions, hours recorded,
        objections, certificates, record transfers), newest first, with `unread_count`. Notices
        whose WeChat message was held for want of subscribe consent are here too (`wechat_held`)."""
        result = messages.my_messages(g.account.id, unread_only=args["unread"], page=args["page"],
                                      per_page=args["per_page"])
        body = page_json(result["items"], result["total"], args["page"], args["per_page"])
        body["unread_count"] = result["unread_count"]
        return body


@blp.route("/messages/read")
class MarkRead(MethodView):
    @login_required
    @blp.arguments(ReadIn())
    @blp.response(200, UnreadCountOut)
    @blp.alt_response(404, description="MESSAGE_NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body):
        """Mark messages read (the ids given, or all); answers the `unread_count` left."""
        return {"unread_count": messages.mark_read(g.account.id, body.get("ids"))}
