"""/api/v1/me/subscriptions: the subscribe-message consent the mini-program reports."""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.services import subscriptions
from miniprogram_api.auth_context import login_required
from miniprogram_api.blueprint import Blueprint

blp = Blueprint("subscriptions", __name__, url_prefix="/api/v1/me/subscriptions", description="订阅消息授权")


class SubscriptionOut(Schema):
    template_id = fields.String()
    kind = fields.String(metadata={"description": "the notice this template carries, e.g. admission"})
    remaining = fields.Integer(metadata={"description": "acceptances not yet spent (one per message)"})


class SubscriptionsOut(Schema):
    subscriptions = fields.List(fields.Nested(SubscriptionOut))


class SubscribeResultsIn(Schema):
    results = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=64)),
                          values=fields.String(validate=validate.Length(max=32)), required=True,
                          validate=validate.Length(min=1, max=20),
                          metadata={"description": "wx.requestSubscribeMessage's answer: {template id: 'accept' | "
                                                   "'reject' | 'ban' | 'filter'} (errMsg may stay in; it is ignored)"})


@blp.route("")
class Subscriptions(MethodView):
    @blp.response(200, SubscriptionsOut)
    @blp.alt_response(403, description="MINIPROGRAM_SESSION_REQUIRED")
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """The subscribe templates to ask consent for, with the acceptances held."""
        return {"subscriptions": subscriptions.subscriptions_of(g.caller.session_id, g.caller.account_id)}

    @login_required
    @blp.arguments(SubscribeResultsIn())
    @blp.response(200, SubscriptionsOut)
    @blp.alt_response(403, description="MINIPROGRAM_SESSION_REQUIRED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body):
        """Report wx.requestSubscribeMessage results: each 'accept' allows one message of that template."""
        recorded = subscriptions.record_subscribe_results(g.caller.session_id, g.caller.account_id, body["results"])
        return {"subscriptions": recorded}
