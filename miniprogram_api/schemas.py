"""What the API answers, as /api/openapi.json describes it: the error envelope and every success body.

The views build their bodies as plain JSON-ready dicts (activity_json.py, serializers.py,
account_serializers.py and the services' *_json helpers): every key those builders write is always
there, so every field here is required, and null only where the builder can write None. Dumping
through an Out schema hands the view's dict on unchanged (Out.dump): the schemas describe, and
tests/api/test_fuzz_openapi.py checks every answer against its description.
"""
from marshmallow import INCLUDE, Schema, fields

TIME = {"description": "ISO 8601 in Shanghai time, e.g. 2026-11-22T09:30:00+08:00"}
BINARY = {"type": "string", "format": "binary"}


class Out(Schema):
    """A response body the view has already built: described here, passed on as it is. A key
    added to a builder before it is described here is allowed (additionalProperties), so that
    the description never blocks a new field; the keys described are checked for type and presence."""

    class Meta:
        unknown = INCLUDE

    def dump(self, obj, *, many=None):
        return obj


def _str(**kwargs):
    return fields.String(required=True, **kwargs)


def _str_or_null(**kwargs):
    return fields.String(required=True, allow_none=True, **kwargs)


def _int(**kwargs):
    return fields.Integer(required=True, **kwargs)


def _int_or_null(**kwargs):
    return fields.Integer(required=True, allow_none=True, **kwargs)


def _bool(**kwargs):
    return fields.Boolean(required=True, **kwargs)


def _time(null=True):
    return fields.String(required=True, allow_none=null, metadata=TIME)


def _list(schema):
    return fields.List(fields.Nested(schema), required=True)


def _one(schema, null=False):
    return fields.Nested(schema, required=True, allow_none=null)


# --- errors ---

class ErrorBody(Schema):
    class Meta:
        unknown = INCLUDE  # a refusal's details (e.g. the activity's state) stand beside code and message

    code = _str(metadata={"description": "stable error code (app/errors.py), e.g. VALIDATION_ERROR"})
    message = _str(metadata={"description": "what went wrong, in Chinese, for the user"})
    field_errors = fields.Dict(keys=fields.String(), values=fields.Raw(), data_key="fields",
                               metadata={"description": "VALIDATION_ERROR: messages by field"})


class ErrorEnvelope(Schema):
    """Every /api error: {"error": {"code", "message", ...}}; a refusal may add its details
    (e.g. the activity's state) beside code and message."""

    error = _one(ErrorBody)


# --- shared pieces ---

class PageMeta(Out):
    total = _int()
    page = _int()
    per_page = _int()


class OrgRef(Out):
    id = _int()
    name = _str()


class PositionOut(Out):
    id = _int()
    name = _str()
    quota = _int()
    taken_count = _int()
    remaining = _int()


class ActivitySummaryOut(Out):
    id = _int()
    title = _str()
    service_category = _str_or_null()
    region_code = _str_or_null()
    region_name = _str_or_null()
    address = _str_or_null()
    cover_url = _str_or_null()
    organisation = _one(OrgRef)
    enroll_start = _time(null=False)
    enroll_end = _time(null=False)
    start_at = _time(null=False)
    end_at = _time(null=False)
    quota = _int()
    taken_count = _int()
    remaining = _int()
    is_family = _bool()
    state = _str(metadata={"description": "not_open / open / closed / in_progress / ended / revoked"})
    state_label = _str()


class ActivityDetailOut(ActivitySummaryOut):
    description = _str_or_null()
    latitude = fields.Float(required=True, allow_none=True)
    longitude = fields.Float(required=True, allow_none=True)
    radius_m = _int_or_null()
    require_location = _bool()
    contact_name = _str_or_null()
    contact_phone = _str(metadata={"description": "masked unless shown to the activity's admins or volunteers"})
    positions = _list(PositionOut)
    revoked_at = _time()
    revoke_reason = _str_or_null()


class EnrollmentOut(Out):
    id = _int()
    activity_id = _int()
    position_id = _int_or_null()
    status = _str()
    status_label = _str()
    created_at = _time()
    decided_at = _time()


class ActivityPageOut(ActivityDetailOut):
    my_enrollment = _one(EnrollmentOut, null=True)


class ActivityListOut(PageMeta):
    items = _list(ActivitySummaryOut)


class OrgCounts(Out):
    volunteer_count = _int()
    activity_count = _int()
    total_minutes = _int()


class OrgActivitiesOrg(OrgCounts):
    id = _int()
    name = _str()


class OrgActivityListOut(ActivityListOut):
    organisation = _one(OrgActivitiesOrg)


class VolunteerBriefOut(Out):
    id = _int()
    volunteer_number = _str_or_null()
    real_name = _str()
    gender = _str_or_null()
    phone = _str()
    face_checked = _bool()


class InvitableOut(VolunteerBriefOut):
    invited = _bool()
    enrollment_status = _str_or_null()


class InvitableListOut(PageMeta):
    items = _list(InvitableOut)


class RosterEntryOut(EnrollmentOut):
    volunteer = _one(VolunteerBriefOut)


class RosterOut(PageMeta):
    items = _list(RosterEntryOut)


class RefusedOut(Out):
    volunteer_id = fields.Raw(required=True)
    code = _str()
    message = _str()


class InvitationsOut(Out):
    invited = fields.List(fields.Integer(), required=True)
    refused = _list(RefusedOut)


class AdmissionsOut(Out):
    admitted = fields.List(fields.Integer(), required=True)
    refused = _list(RefusedOut)


class RemovalsOut(Out):
    removed = fields.List(fields.Integer(), required=True)
    refused = _list(RefusedOut)


class MyActivityOut(Out):
    activity = _one(ActivitySummaryOut)
    enrollment = _one(EnrollmentOut)
    group = _str()
    group_label = _str()


class MyActivitiesOut(PageMeta):
    items = _list(MyActivityOut)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


# --- accounts ---

class AdminOfOut(Out):
    org_id = _int()
    name = _str()


class ReviewFields(Out):
    home_org = _one(OrgRef)
    review_status = _str()
    review_status_label = _str()
    review_reason = _str_or_null()
    identity_check_status = _str()
    identity_check_label = _str()


class AccountVolunteerOut(ReviewFields):
    id = _int()
    volunteer_number = _str_or_null()
    face_checked = _bool()
    total_minutes = _int()
    created_at = _time()


class AccountOut(Out):
    id = _int()
    username = _str_or_null()
    real_name = _str_or_null()
    gender = _str_or_null()
    id_type = _str_or_null()
    id_number = _str(metadata={"description": "masked"})
    phone = _str(metadata={"description": "masked"})
    email = _str_or_null()
    must_change_password = _bool()
    is_platform_admin = _bool()
    admin_of = _list(AdminOfOut)
    volunteer = _one(AccountVolunteerOut, null=True)


class OwnVolunteerOut(AccountVolunteerOut):
    pending_home_org_id = _int_or_null()
    education = _str_or_null()
    service_intentions = fields.List(fields.String(), required=True)
    agreed_at = _time()


class ProfileOut(AccountOut):
    id_type_label = _str_or_null()
    id_number = _str_or_null(metadata={"description": "in full: shown to the owner only"})
    phone = _str_or_null(metadata={"description": "in full: shown to the owner only"})
    volunteer = _one(OwnVolunteerOut, null=True)


class VolunteerForAdminOut(ReviewFields):
    id = _int()
    account_id = _int()
    volunteer_number = _str_or_null()
    account_status = _str()
    real_name = _str_or_null()
    gender = _str_or_null()
    id_type = _str_or_null()
    id_number = _str(metadata={"description": "masked"})
    phone = _str(metadata={"description": "masked"})
    may_review = _bool()
    education = _str_or_null()
    service_intentions = fields.List(fields.String(), required=True)
    face_checked = _bool()
    created_at = _time()
    reviewed_at = _time()


class VolunteerListOut(PageMeta):
    items = _list(VolunteerForAdminOut)


class SentToOut(Out):
    sent_to = _str(metadata={"description": "where the temporary password went, masked"})


class HomeOrgChangeOut(Out):
    id = _int()
    volunteer_id = _int()
    from_org_id = _int_or_null()
    to_org_id = _int()
    status = _str()
    reason = _str_or_null()
    created_at = _time()
    decided_at = _time()


class HomeOrgChangeListOut(Out):
    items = _list(HomeOrgChangeOut)


# --- organisations ---

class OrganisationOut(OrgCounts):
    id = _int()
    name = _str()
    category = _str()
    category_label = _str_or_null()
    parent_id = _int_or_null()
    region_code = _str_or_null()
    is_legal_person = _bool()
    description = _str_or_null()


class OrganisationListOut(PageMeta):
    items = _list(OrganisationOut)


class OrganisationPageOut(OrganisationOut):
    subtree = _one(OrgCounts)
    children = _list(OrganisationOut)


class OrgAdminOut(Out):
    account_id = _int()
    username = _str_or_null()
    real_name = _str_or_null()
    id_number = _str()
    phone = _str()


class OrganisationForReviewerOut(OrganisationOut):
    status = _str()
    status_label = _str_or_null()
    reject_reason = _str_or_null()
    contact_phone = _str_or_null()
    has_id_photo = _bool()
    created_at = _time()
    reviewed_at = _time()
    admins = _list(OrgAdminOut)


class OrganisationRegistrationsOut(Out):
    items = _list(OrganisationForReviewerOut)


class OrganisationCreatedOut(Out):
    id = _int()
    status = _str()
    message = _str()


# --- attendance ---

class FaceCheckOut(Out):
    volunteer_id = _int()
    face_checked = _bool()
    face_checked_at = _time()
    face_checked_by = _int_or_null()
    activity_id = _int_or_null()


class ScanRecordOut(Out):
    id = _int()
    kind = _str()
    activity_id = _int()
    activity_title = _str()
    at = _time(null=False)
    service_day = _str(metadata={"description": "YYYY-MM-DD"})
    session_no = _int_or_null()
    source = _str_or_null()
    minutes = _int_or_null()


class MyScansOut(Out):
    page = _int()
    items = _list(ScanRecordOut)


class DynamicCodeOut(Out):
    code = _str()
    expires_at = _time(null=False)
    refresh_in = _int()
    image_url = _str()


# --- hours, objections, supplements, card ---

class Totals(Out):
    total_minutes = _int()
    total_hours = fields.Float(required=True)
    star_level = _int()
    star_label = _str()
    minutes_to_next_star = _int_or_null()


class RecordOut(Out):
    id = _int()
    activity_id = _int()
    activity_title = _str()
    minutes = _int()
    source = _str()
    status = _str()
    status_label = _str()
    service_day = _str_or_null()
    recorded_at = _time()
    public_until = _time()
    amended_from_minutes = _int_or_null()


class MyRecordsOut(Totals):
    page = _int()
    records = _list(RecordOut)


class CardOut(Totals):
    url = _str()
    qr_image_url = _str()


class BoardEntryOut(Out):
    record_id = _int()
    activity_id = _int()
    activity_title = _str()
    volunteer_name = _str()
    volunteer_number = _str()
    minutes = _int()
    source = _str()
    amended = _bool()
    service_day = _str_or_null()
    recorded_at = _time()
    public_until = _time()


class HoursBoardOut(Out):
    page = _int()
    items = _list(BoardEntryOut)


class ObjectionFiledOut(Out):
    id = _int()
    status = _str()
    created_at = _time()


class ObjectionOut(Out):
    id = _int()
    record_id = _int()
    activity_id = _int()
    activity_title = _str()
    text = _str()
    status = _str()
    record_minutes = _int()
    record_status = _str()
    resolution_note = _str_or_null()
    created_at = _time()
    resolved_at = _time()


class ObjectionListOut(Out):
    items = _list(ObjectionOut)


class ProofFileOut(Out):
    index = _int()
    content_type = _str()
    size = _int()


class SupplementOut(Out):
    id = _int()
    activity_id = _int()
    activity_title = _str()
    volunteer_id = _int()
    minutes = _int()
    note = _str_or_null()
    status = _str()
    reject_reason = _str_or_null()
    proof_files = _list(ProofFileOut)
    created_at = _time()
    decided_at = _time()


class SupplementListOut(Out):
    items = _list(SupplementOut)


class CardApplicationOut(Out):
    id = _int()
    bank = _str()
    bank_label = _str()
    card_type = _str()
    card_type_label = _str()
    delivery_name = _str()
    delivery_phone = _str(metadata={"description": "masked"})
    delivery_address = _str_or_null(metadata={"description": "to the applicant only"})
    status = _str()
    status_label = _str()
    status_note = _str_or_null()
    created_at = _time()
    updated_at = _time()


class CardApplicationListOut(Out):
    items = _list(CardApplicationOut)


# --- community, certificates, transfers (issue 13 and the takeaway) ---

class AnyObject(Out):
    """A JSON object whose keys are described in the operation's text (e.g. a report, a records
    document): an object, nothing more is promised here."""


class ItemsOut(Out):
    items = fields.List(fields.Dict(), required=True)


class ShiftOut(Out):
    id = _int()
    activity_id = _int()
    starts_at = _time(null=False)
    ends_at = _time(null=False)
    capacity = _int()
    taken = _int()
    places_left = _int()


class ShiftListOut(Out):
    items = _list(ShiftOut)


class CommentOut(Out):
    id = _int()
    target_type = _str()
    target_id = _int()
    author = _str(metadata={"description": "masked"})
    text = _str()
    created_at = _time()


class MyCommentOut(CommentOut):
    hidden = _bool()
    hidden_reason = _str_or_null()
    hidden_at = _time()


class CommentPageOut(PageMeta):
    items = _list(CommentOut)


class MyCommentPageOut(PageMeta):
    items = _list(MyCommentOut)


class ComplaintOut(Out):
    id = _int()
    kind = _str()
    kind_label = _str()
    target_type = _str()
    target_type_label = _str()
    target_id = _int_or_null()
    text = _str()
    image_count = _int()
    status = _str()
    status_label = _str()
    resolution = _str_or_null()
    created_at = _time()
    resolved_at = _time()


class ComplaintForHandlerOut(ComplaintOut):
    complainant = _str(metadata={"description": "masked"})
    image_urls = fields.List(fields.String(), required=True)


class ComplaintListOut(Out):
    items = _list(ComplaintOut)


class ComplaintPageOut(PageMeta):
    items = _list(ComplaintForHandlerOut)


class MembershipOut(Out):
    id = _int()
    org = _one(OrgRef)
    status = _str()
    status_label = _str()
    reason = _str_or_null()
    joined_at = _time()
    requested_at = _time()
    updated_at = _time()


class MemberOut(Out):
    id = _int()
    volunteer_number = _str_or_null()
    real_name = _str_or_null()
    phone = _str(metadata={"description": "masked"})
    home_org = _one(OrgRef)


class MembershipForAdminOut(MembershipOut):
    volunteer = _one(MemberOut)


class MyMembershipsOut(Out):
    items = _list(MembershipOut)
    limits = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class MembersOut(PageMeta):
    items = _list(MembershipForAdminOut)


class JoinPasswordOut(Out):
    org_id = _int()
    join_password_set = _bool()


class TrainingOut(Out):
    id = _int()
    org = _one(OrgRef)
    title = _str()
    description = _str_or_null()
    held_on = _str(metadata={"description": "YYYY-MM-DD"})
    minutes = _int_or_null()
    completed_at = fields.String(allow_none=True, metadata={**TIME, "description": "我的培训: when I completed it"})


class TrainingListOut(Out):
    items = _list(TrainingOut)


class CompletionsOut(Out):
    recorded = fields.List(fields.Raw(), required=True)
    refused = fields.List(fields.Raw(), required=True)


class CommendationOut(Out):
    id = _int()
    volunteer_id = _int()
    org = _one(OrgRef)
    title = _str()
    level = _str()
    level_label = _str()
    awarded_on = _str(metadata={"description": "YYYY-MM-DD"})
    issuer = _str_or_null()


class CommendationListOut(Out):
    items = _list(CommendationOut)


class GroupEnrollmentOut(Out):
    activity_id = _int()
    enrolled = fields.List(fields.Integer(), required=True)
    enrollments = _list(EnrollmentOut)


class ServiceProfileOut(Out):
    background = _str_or_null()
    specialties = fields.List(fields.String(), required=True)
    service_intentions = fields.List(fields.String(), required=True)
    available_times = fields.List(fields.Raw(), required=True)
    has_avatar = _bool()
    completeness = fields.Raw(required=True)


class ManagedProfileOut(OrganisationOut):
    contact_phone = _str_or_null()
    join_password_set = _bool()


class OrgAdminEntryOut(Out):
    account_id = _int()
    username = _str_or_null()
    real_name = _str_or_null()
    phone = _str(metadata={"description": "masked"})


class OrgAdminListOut(Out):
    org_id = _int()
    items = _list(OrgAdminEntryOut)


class MessagesOut(PageMeta):
    items = fields.List(fields.Dict(), required=True)
    unread_count = _int()


class UnreadCountOut(Out):
    unread_count = _int()


class CertificateOut(Out):
    number = _str()
    total_minutes = _int()
    total_hours = fields.Float(required=True)
    record_count = _int()
    period_start = _str_or_null()
    period_end = _str_or_null()
    period = _str()
    issued_at = _time()


class MyCertificateOut(CertificateOut):
    download_url = _str()
    verify_url = _str()
    verify_api_url = _str()


class MyCertificatePageOut(PageMeta):
    items = _list(MyCertificateOut)


class CertificateCheckOut(CertificateOut):
    valid = _bool()
    status = _str()
    status_label = _str()
    verify_url = _str()


class UsernameChangedOut(Out):
    username = _str()
    changed_at = _time()
    next_change_allowed_at = _time()
