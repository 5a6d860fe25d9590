"""培训 and 表彰: the organisation's admin records them; volunteers see theirs (我的培训, 我的表彰)."""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.domain import achievements as rules
from app.services import achievements
from miniprogram_api.auth_context import admin_required, login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import MAX_MINUTES, Id
from miniprogram_api.community_json import commendation, training
from miniprogram_api.schemas import CommendationListOut, CommendationOut, CompletionsOut, TrainingListOut, TrainingOut

blp = Blueprint("achievements", __name__, url_prefix="/api/v1", description="培训与表彰：我的培训、我的表彰")


class TrainingIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    held_on = fields.Date(required=True, metadata={"description": "培训日期 YYYY-MM-DD"})
    minutes = fields.Integer(load_default=None, validate=validate.Range(max=MAX_MINUTES),
                             metadata={"description": "培训时长（分钟）"})
    description = fields.String(load_default=None, validate=validate.Length(max=2000))


@blp.route("/admin/organisations/<int:org_id>/trainings")
class OrgTrainings(MethodView):
    @blp.response(200, TrainingListOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def get(self, org_id):
        """The organisation's training sessions, newest first."""
        return {"items": [training(t) for t in achievements.trainings_of(g.account, org_id)]}

    @admin_required
    @blp.arguments(TrainingIn())
    @blp.response(201, TrainingOut)
    @blp.alt_response(404, description="NOT_FOUND")
    @blp.alt_response(422, description="ACHIEVEMENT_DATE_FUTURE / VALIDATION_ERROR")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, org_id):
        """Record a training session the organisation held."""
        return training(achievements.add_training(g.account, org_id, **body))


class CompletionsIn(Schema):
    volunteer_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=200))


@blp.route("/admin/trainings/<int:training_id>/completions")
class TrainingCompletions(MethodView):
    @admin_required
    @blp.arguments(CompletionsIn())
    @blp.response(200, CompletionsOut)
    @blp.alt_response(404, description="TRAINING_NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, training_id):
        """Record who completed the training (the organisation's own volunteers; others are refused)."""
        return achievements.record_completions(g.account, training_id, body["volunteer_ids"])


class CommendationIn(Schema):
    volunteer_id = Id(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=120), metadata={"description": "表彰名称"})
    level = fields.String(required=True, validate=validate.OneOf(tuple(rules.COMMENDATION_LEVELS)),
                          metadata={"description": " / ".join(f"{k} {v}"
                                                              for k, v in rules.COMMENDATION_LEVELS.items())})
    awarded_on = fields.Date(required=True, metadata={"description": "表彰日期 YYYY-MM-DD"})
    issuer = fields.String(required=True, validate=validate.Length(min=1, max=120),
                           metadata={"description": "颁发单位"})


@blp.route("/admin/organisations/<int:org_id>/commendations")
class OrgCommendations(MethodView):
    @admin_required
    @blp.arguments(CommendationIn())
    @blp.response(201, CommendationOut)
    @blp.alt_response(404, description="NOT_FOUND / VOLUNTEER_NOT_IN_ORG")
    @blp.alt_response(422, description="ACHIEVEMENT_DATE_FUTURE / VALIDATION_ERROR")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, org_id):
        """Record a commendation of one of the organisation's volunteers."""
        volunteer_id = body.pop("volunteer_id")
        return commendation(achievements.commend(g.account, org_id, volunteer_id, **body))


@blp.route("/me/trainings")
class MyTrainings(MethodView):
    @blp.response(200, TrainingListOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """我的培训: the trainings I completed, newest first."""
        return {"items": [training(t, completed_at) for t, completed_at in achievements.mine(g.account)["trainings"]]}


@blp.route("/me/commendations")
class MyCommendations(MethodView):
    @blp.response(200, CommendationListOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """我的表彰: my commendations, newest first."""
        return {"items": [commendation(c) for c in achievements.mine(g.account)["commendations"]]}
