"""Admin: volunteers of the organisations I manage — list, review, reset password — and
home-organisation changes into them. Every operation is scoped by app.services.authz."""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.services import account_security, home_org, volunteer_review
from app.services.authz import require_volunteer
from miniprogram_api.account_serializers import home_org_change, volunteer_for_admin
from miniprogram_api.auth_context import admin_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import Id
from miniprogram_api.schemas import (
    HomeOrgChangeListOut,
    HomeOrgChangeOut,
    SentToOut,
    VolunteerForAdminOut,
    VolunteerListOut,
)

blp = Blueprint("admin_accounts", __name__, url_prefix="/api/v1/admin", description="管理：志愿者审核与帐号")


class AdminVolunteerQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(("pending", "rejected", "approved")),
                           metadata={"description": "pending 待审核 / rejected 未通过 / approved 通过"})
    org_id = Id(load_default=None)
    keyword = fields.String(load_default=None, validate=validate.Length(max=64),
                            metadata={"description": "姓名（部分）、手机号、证件号或志愿者编号"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class VolunteerReviewIn(Schema):
    approve = fields.Boolean(required=True)
    reason = fields.String(load_default=None, validate=validate.Length(max=255),
                           metadata={"description": "审核不通过的原因（不通过时必填）"})


@blp.route("/volunteers")
class Volunteers(MethodView):
    @admin_required
    @blp.arguments(AdminVolunteerQuery(), location="query")
    @blp.response(200, VolunteerListOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, query):
        """Volunteers of my organisations (ID numbers and phones masked)."""
        rows, total = volunteer_review.list_volunteers(g.account, **query)
        return {"items": [volunteer_for_admin(v) for v in rows], "total": total,
                "page": query["page"], "per_page": query["per_page"]}


@blp.route("/volunteers/<int:volunteer_id>")
class VolunteerDetail(MethodView):
    @blp.response(200, VolunteerForAdminOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def get(self, volunteer_id):
        """One volunteer of my organisations (查看), personal numbers masked."""
        return volunteer_for_admin(require_volunteer(g.account, volunteer_id))


@blp.route("/volunteers/<int:volunteer_id>/review")
class Review(MethodView):
    @admin_required
    @blp.arguments(VolunteerReviewIn())
    @blp.response(200, VolunteerForAdminOut)
    @blp.alt_response(404, description="NOT_FOUND (not a volunteer of an organisation I manage)")
    @blp.alt_response(409, description="REVIEW_NOT_ALLOWED (identity check not 通过/未知) / ALREADY_REVIEWED")
    @blp.alt_response(422, description="REASON_REQUIRED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, volunteer_id):
        """审核: pass or reject (reason required); the volunteer is notified by SMS / WeChat."""
        return volunteer_for_admin(volunteer_review.review_volunteer(g.account, volunteer_id, body["approve"],
                                                                     body.get("reason")))


@blp.route("/volunteers/<int:volunteer_id>/password-reset")
class VolunteerPasswordReset(MethodView):
    @blp.response(200, SentToOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def post(self, volunteer_id):
        """重置密码: a temporary password goes to the volunteer's phone; it must be changed at login."""
        sent_to = account_security.admin_reset_volunteer_password(g.account, volunteer_id)
        return {"sent_to": sent_to}


@blp.route("/volunteers/<int:volunteer_id>/deletion")
class VolunteerDeletion(MethodView):
    @blp.response(200, VolunteerForAdminOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.alt_response(409, description="CONFLICT (already deleted)")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def post(self, volunteer_id):
        """注销: the account can no longer log in ("帐号被删除") until restored."""
        return volunteer_for_admin(volunteer_review.set_account_deleted(g.account, volunteer_id, True))

    @blp.response(200, VolunteerForAdminOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.alt_response(409, description="CONFLICT (not deleted)")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def delete(self, volunteer_id):
        """恢复帐号: undo the deletion."""
        return volunteer_for_admin(volunteer_review.set_account_deleted(g.account, volunteer_id, False))


class HomeOrgChangeQuery(Schema):
    status = fields.String(load_default="pending", validate=validate.OneOf(("pending", "approved", "rejected")))


@blp.route("/home-org-changes")
class HomeOrgChanges(MethodView):
    @admin_required
    @blp.arguments(HomeOrgChangeQuery(), location="query")
    @blp.response(200, HomeOrgChangeListOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, query):
        """Requests to move into my organisations."""
        return {"items": [home_org_change(c) for c in home_org.list_changes(g.account, query["status"])]}


@blp.route("/home-org-changes/<int:change_id>/decision")
class HomeOrgChangeDecision(MethodView):
    @admin_required
    @blp.arguments(VolunteerReviewIn())
    @blp.response(200, HomeOrgChangeOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.alt_response(409, description="ALREADY_DECIDED")
    @blp.alt_response(422, description="REASON_REQUIRED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, change_id):
        """The new organisation approves (the move takes effect) or rejects with a reason."""
        return home_org_change(home_org.decide_change(g.account, change_id, body["approve"], body.get("reason")))
