"""GET /api/v1/me: the caller's own account (unmasked only to themself)."""
from flask import g
from flask.views import MethodView

from miniprogram_api.auth_context import login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.schemas import AccountOut
from miniprogram_api.serializers import account_summary

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="我的")


@blp.route("")
class Me(MethodView):
    @blp.response(200, AccountOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """Who am I: account, volunteer profile, organisations administered."""
        return account_summary(g.account, viewer=g.account)
