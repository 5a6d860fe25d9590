"""加入组织: a volunteer's memberships of organisations other than the home one, and their
organisation admin's list, approval, rejection, removal and 免审密码."""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.domain import membership as membership_rules
from app.services import memberships
from miniprogram_api.auth_context import admin_required, login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.community_json import membership, membership_for_admin
from miniprogram_api.schemas import JoinPasswordOut, MembershipForAdminOut, MembershipOut, MembersOut, MyMembershipsOut

blp = Blueprint("memberships", __name__, url_prefix="/api/v1",
                description="加入组织：归属组织以外的组织（最多 20 个，含待审核；待审核最多 5 个）")


class MembershipRequestIn(Schema):
    join_password = fields.String(load_default=None, validate=validate.Length(max=64),
                                  metadata={"description": "免审密码：正确时直接加入；不填则等待组织管理员审核"})


@blp.route("/organisations/<int:org_id>/memberships")
class Membership(MethodView):
    @login_required
    @blp.arguments(MembershipRequestIn())
    @blp.response(201, MembershipOut, description="status pending (待审核) or joined (已加入); 200 when the "
                                                  "request repeats one already made (nothing new is created)")
    @blp.alt_response(200, schema=MembershipOut, success=True, description="the request repeats one already made")
    @blp.alt_response(403, description="JOIN_PASSWORD_WRONG / VOLUNTEER_NOT_APPROVED")
    @blp.alt_response(404, description="ORG_NOT_FOUND")
    @blp.alt_response(409, description="MEMBERSHIP_LIMIT / MEMBERSHIP_PENDING_LIMIT / MEMBERSHIP_HOME_ORG")
    @blp.alt_response(429, description="JOIN_PASSWORD_RATE_LIMITED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, org_id):
        """Ask to join an organisation (with its 免审密码: joined at once)."""
        row, changed = memberships.request_membership(g.account.id, org_id, body["join_password"])
        return membership(row), 201 if changed else 200

    @blp.response(200, MembershipOut)
    @blp.alt_response(404, description="NOT_A_MEMBER")
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def delete(self, org_id):
        """退出组织, or withdraw a pending request."""
        return membership(memberships.leave(g.account, org_id))


@blp.route("/me/memberships")
class MyMemberships(MethodView):
    @blp.response(200, MyMembershipsOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """我的组织: every membership and request with its state, newest first."""
        rows = memberships.my_memberships(g.account)
        return {"items": [membership(r) for r in rows],
                "limits": {"memberships": membership_rules.MAX_MEMBERSHIPS,
                           "pending": membership_rules.MAX_PENDING}}


class OrgMembersQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(tuple(membership_rules.LABELS)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


@blp.route("/admin/organisations/<int:org_id>/memberships")
class OrgMembers(MethodView):
    @admin_required
    @blp.arguments(OrgMembersQuery(), location="query")
    @blp.response(200, MembersOut)
    @blp.alt_response(404, description="NOT_FOUND (not an organisation this admin manages)")
    @blp.doc(security=[{"bearer": []}])
    def get(self, query, org_id):
        """The organisation's members and join requests (status=pending: waiting for approval)."""
        rows, total = memberships.list_members(g.account, org_id, **query)
        return {"items": [membership_for_admin(r) for r in rows], "total": total,
                "page": query["page"], "per_page": query["per_page"]}


class MembershipDecisionIn(Schema):
    approve = fields.Boolean(required=True)
    reason = fields.String(load_default=None, validate=validate.Length(max=255))


@blp.route("/admin/memberships/<int:membership_id>/decision")
class MembershipDecision(MethodView):
    @admin_required
    @blp.arguments(MembershipDecisionIn())
    @blp.response(200, MembershipForAdminOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.alt_response(409, description="ALREADY_DECIDED")
    @blp.alt_response(422, description="REASON_REQUIRED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, membership_id):
        """Approve, or reject with a reason, a request to join (the volunteer is notified)."""
        return membership_for_admin(memberships.decide(g.account, membership_id, body["approve"], body["reason"]))


class MembershipRemovalIn(Schema):
    reason = fields.String(load_default=None, validate=validate.Length(max=255))


@blp.route("/admin/memberships/<int:membership_id>/removal")
class MembershipRemoval(MethodView):
    @admin_required
    @blp.arguments(MembershipRemovalIn())
    @blp.response(200, MembershipForAdminOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.alt_response(409, description="MEMBERSHIP_NOT_ALLOWED (not a joined member)")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, membership_id):
        """移出组织: end a member's membership (the volunteer is notified)."""
        return membership_for_admin(memberships.remove(g.account, membership_id, body["reason"]))


class JoinPasswordIn(Schema):
    join_password = fields.String(required=True, allow_none=True, validate=validate.Length(max=64),
                                  metadata={"description": "新的免审密码（4–32 位）；null 取消免审密码"})


@blp.route("/admin/organisations/<int:org_id>/join-password")
class JoinPassword(MethodView):
    @admin_required
    @blp.arguments(JoinPasswordIn())
    @blp.response(200, JoinPasswordOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.alt_response(422, description="JOIN_PASSWORD_FORMAT")
    @blp.doc(security=[{"bearer": []}])
    def put(self, body, org_id):
        """设置、更换或取消 (null) the organisation's 免审密码."""
        org = memberships.set_join_password(g.account, org_id, body["join_password"])
        return {"org_id": org.id, "join_password_set": org.join_password_hash is not None}
