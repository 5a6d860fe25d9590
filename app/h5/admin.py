"""/h5/admin/: an organisation admin running an event from the phone — my organisation's
activities; per activity 面验 (search by name, one tap each), admission and removal (batch),
the self-renewing check-in / check-out code display, scanning a volunteer's personal code
(JS-SDK scanQRCode) and inviting own volunteers; pending volunteer reviews with reasons."""
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for

from app.domain import activity_state as st
from app.domain import identity_check as check_rules
from app.errors import DomainError
from app.h5 import auth
from app.h5 import errors as h5_errors
from app.h5.activities import _page
from app.h5.texts import MESSAGES, TITLES
from app.services import (
    admissions,
    clock_codes,
    clocking,
    face_check,
    invitations,
    rosters,
    volunteer_review,
    wechat_oauth,
)
from app.services.activities import list_managed_activities, managed_activity
from app.services.activity_roster import activity_roster
from app.timeutil import utcnow

bp = auth.protect(Blueprint("h5_admin", __name__, url_prefix="/h5/admin"))

PER_PAGE = 20
KINDS = ("checkin", "checkout")


def _ids():
    return [int(v) for v in request.form.getlist("volunteer_id") if v.isdigit()]


def _kind(value):
    return value if value in KINDS else "checkin"


@bp.get("/activities/")
@auth.admin_required
def activities():
    page = _page(request.args.get("page"))
    now = utcnow()
    items, total = list_managed_activities(auth.current_account(), page=page, per_page=PER_PAGE)
    states = {a.id: st.activity_state(st.times_of(a), now) for a in items}
    return render_template("h5/admin_activities.html", title=TITLES["admin_activities"], items=items,
                           states=states, labels=st.LABELS, page=page, pages=max(1, -(-total // PER_PAGE)))


@bp.get("/activities/<int:activity_id>")
@auth.admin_required
def activity(activity_id):
    name = (request.args.get("name") or "").strip()[:50]
    data = activity_roster(auth.current_account(), activity_id, now=utcnow(), name=name)
    return render_template("h5/admin_activity.html", title=TITLES["admin_activity"], name=name, **data)


@bp.post("/activities/<int:activity_id>/face-checks")
@auth.admin_required
def face_check_volunteer(activity_id):
    ids = _ids()
    if not ids:
        flash(MESSAGES["none_chosen"], "error")
    else:
        try:
            volunteer = face_check.mark_checked(auth.current_account(), ids[0], activity_id)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(MESSAGES["face_checked"].format(name=volunteer.account.real_name or ""), "ok")
    return redirect(url_for("h5_admin.activity", activity_id=activity_id, name=request.form.get("name") or None)
                    + "#face-check")


def _report(result, done_key, message_key, names):
    if result[done_key]:
        flash(MESSAGES[message_key].format(count=len(result[done_key])), "ok")
    for refusal in result["refused"]:
        flash(MESSAGES["refused"].format(name=names.get(str(refusal["volunteer_id"]), refusal["volunteer_id"]),
                                         message=refusal["message"]), "error")


@bp.post("/activities/<int:activity_id>/decisions")
@auth.admin_required
def decide(activity_id):
    """录用 / 移除 of the ticked volunteers (one form, the button says which)."""
    ids, action = _ids(), request.form.get("action")
    if not ids:
        flash(MESSAGES["none_chosen"], "error")
    elif action in ("admit", "remove"):
        names = {v: request.form.get(f"name_{v}", v) for v in map(str, ids)}
        if action == "admit":
            _report(admissions.admit(auth.current_account(), activity_id, ids), "admitted", "admitted", names)
        else:
            _report(admissions.remove(auth.current_account(), activity_id, ids), "removed", "removed", names)
    return redirect(url_for("h5_admin.activity", activity_id=activity_id) + "#admission")


# --- the check-in / check-out code display ---

def _issue(activity_id, kind):
    issued = clock_codes.issue_clock_code(auth.current_account(), activity_id, kind)
    life = current_app.config["CLOCK_CODE_SECONDS"]
    expires_in = max(0, int((issued["expires_at"] - utcnow()).total_seconds()))
    return {"code": issued["code"], "kind": kind, "expires_in": expires_in, "life": life,
            # renew a little before the code expires, so that a scan in flight still finds it valid
            "renew_before": max(2, min(15, life // 4)),
            "image_url": f"/api/v1/attendance/codes/{issued['code']}.png"}


@bp.get("/activities/<int:activity_id>/code")
@auth.admin_required
def code_display(activity_id):
    kind = _kind(request.args.get("kind"))
    activity = managed_activity(auth.current_account(), activity_id)
    code = _issue(activity.id, kind)
    return render_template("h5/code_display.html", activity=activity,
                           title=TITLES["clock_code" if kind == "checkin" else "clock_code_checkout"], **code)


@bp.get("/activities/<int:activity_id>/code.json")
@auth.admin_required
def code_json(activity_id):
    """The display's renewal: a fresh code (JSON)."""
    try:
        return jsonify({"ok": True, **_issue(activity_id, _kind(request.args.get("kind")))})
    except DomainError as exc:
        return jsonify({"ok": False, "code": exc.code, "message": exc.message}), h5_errors.status_of(exc)


# --- scanning a volunteer's personal code ---

def _scan_page(activity_id, status=200, **extra):
    activity = managed_activity(auth.current_account(), activity_id)
    page_url = current_app.config["PUBLIC_BASE_URL"] + request.path
    return render_template("h5/admin_scan.html", title=TITLES["admin_scan"], activity=activity,
                           jsapi=wechat_oauth.jsapi_config(page_url), **extra), status


@bp.get("/activities/<int:activity_id>/scan")
@auth.admin_required
def scan(activity_id):
    return _scan_page(activity_id)


@bp.post("/activities/<int:activity_id>/scan")
@auth.admin_required
def scan_volunteer(activity_id):
    code = (request.form.get("code") or "").strip()
    kind = request.form.get("kind") if request.form.get("kind") in KINDS else None
    try:
        result = clocking.scan_volunteer(auth.current_account(), activity_id, code, kind=kind)
    except DomainError as exc:
        return _scan_page(activity_id, h5_errors.status_of(exc), error=exc.message)
    if result["kind"] == "checkin":
        message = MESSAGES["scan_checkin"]
    else:
        message = MESSAGES["scan_checkout"].format(minutes=result.get("minutes") or 0)
    return _scan_page(activity_id, message=message)


# --- inviting own volunteers ---

@bp.get("/activities/<int:activity_id>/invitations")
@auth.admin_required
def invitation_list(activity_id):
    name = (request.args.get("name") or "").strip()[:50]
    activity, rows, total = rosters.invitable_volunteers(auth.current_account(), activity_id, name=name or None,
                                                             per_page=50)
    return render_template("h5/invite.html", title=TITLES["invite"], activity=activity, rows=rows, total=total,
                           name=name)


@bp.post("/activities/<int:activity_id>/invitations")
@auth.admin_required
def invite(activity_id):
    ids = _ids()
    if not ids:
        flash(MESSAGES["none_chosen"], "error")
    else:
        names = {v: request.form.get(f"name_{v}", v) for v in map(str, ids)}
        try:
            _report(invitations.invite(auth.current_account(), activity_id, ids), "invited", "invited", names)
        except DomainError as exc:
            flash(exc.message, "error")
    return redirect(url_for("h5_admin.invitation_list", activity_id=activity_id))


# --- volunteer registrations waiting for review ---

@bp.get("/reviews")
@auth.admin_required
def reviews():
    keyword = (request.args.get("keyword") or "").strip()[:50]
    status = "rejected" if request.args.get("status") == "rejected" else "pending"
    page = _page(request.args.get("page"))
    rows, total = volunteer_review.list_volunteers(auth.current_account(), status=status, keyword=keyword or None,
                                                   page=page, per_page=PER_PAGE)
    return render_template("h5/reviews.html", title=TITLES["reviews"], rows=rows, total=total, keyword=keyword,
                           status=status, page=page, pages=max(1, -(-total // PER_PAGE)),
                           identity_labels=check_rules.LABELS)


@bp.post("/reviews/<int:volunteer_id>")
@auth.admin_required
def review(volunteer_id):
    approve = request.form.get("decision") == "approve"
    reason = (request.form.get("reason") or "").strip()[:255] or None
    name = request.form.get("name") or ""
    try:
        volunteer_review.review_volunteer(auth.current_account(), volunteer_id, approve, reason)
    except DomainError as exc:
        flash(f"{name}：{exc.message}" if name else exc.message, "error")
    else:
        flash(MESSAGES["approved" if approve else "rejected"].format(name=name), "ok")
    return redirect(url_for("h5_admin.reviews"))
