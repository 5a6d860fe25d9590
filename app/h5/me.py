"""/h5/me/: 我的 — hours and star level, my activities (three groups), service records, scan
records, profile edit, password change, the volunteer card and its application progress, and
the dynamic personal code an admin scans at the venue."""
import re

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for

from app.domain import card as card_rules
from app.domain.registration import EDUCATION_LEVELS, GENDERS
from app.errors import DomainError
from app.h5 import auth
from app.h5 import errors as h5_errors
from app.h5.activities import _page
from app.h5.texts import MESSAGES, TITLES
from app.security.pii import mask_id, mask_phone
from app.services import (
    account_security,
    card,
    clock_codes,
    clocking,
    qrimage,
    records,
    registration,
    volunteer_overview,
)
from app.services.my_activities import MY_GROUPS, my_activities_page
from app.timeutil import utcnow

bp = auth.protect(Blueprint("h5_me", __name__, url_prefix="/h5/me"))

PER_PAGE = 20
GENDER_LABELS = {"male": "男", "female": "女"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _volunteer_only():
    """The page is about a volunteer's own data: an admin-only account gets a friendly notice."""
    info = volunteer_overview.overview(auth.current_account())
    if info["is_volunteer"]:
        return info, None
    return info, render_template("h5/notice.html", title=TITLES["me"], text=MESSAGES["not_volunteer"])


@bp.get("/")
@auth.account_required
def me():
    info = volunteer_overview.overview(auth.current_account())
    return render_template("h5/me.html", title=TITLES["me"], info=info)


@bp.get("/activities")
@auth.account_required
def activities():
    _, refusal = _volunteer_only()
    if refusal:
        return refusal
    group = request.args.get("group") if request.args.get("group") in MY_GROUPS else "enrolled"
    page = _page(request.args.get("page"))
    data = my_activities_page(auth.current_account().id, group=group, now=utcnow(), page=page, per_page=PER_PAGE)
    rows, total = [(e, a) for e, a, _ in data["rows"]], data["total"]
    return render_template("h5/my_activities.html", title=TITLES["my_activities"], groups=MY_GROUPS,
                           group=group, rows=rows, total=total, counts=data["counts"], page=page,
                           pages=max(1, -(-total // PER_PAGE)))


@bp.get("/records")
@auth.account_required
def service_records():
    _, refusal = _volunteer_only()
    if refusal:
        return refusal
    page = _page(request.args.get("page"))
    data = records.my_records(auth.current_account(), page=page, per_page=PER_PAGE)
    return render_template("h5/records.html", title=TITLES["records"], data=data, page=page)


@bp.get("/scans")
@auth.account_required
def scans():
    _, refusal = _volunteer_only()
    if refusal:
        return refusal
    page = _page(request.args.get("page"))
    items = clocking.my_scans(auth.current_account(), page=page, per_page=PER_PAGE)
    return render_template("h5/scans.html", title=TITLES["scans"], items=items, page=page, per_page=PER_PAGE)


def _profile_page(status=200, **extra):
    account = auth.current_account()
    return render_template("h5/profile.html", title=TITLES["profile"], account=account,
                           volunteer=account.volunteer, id_masked=mask_id(account.id_number or ""),
                           phone_masked=mask_phone(account.phone or ""), educations=EDUCATION_LEVELS,
                           genders=[(g, GENDER_LABELS[g]) for g in GENDERS], **extra), status


@bp.get("/profile")
@auth.account_required
def profile():
    _, refusal = _volunteer_only()
    return refusal or _profile_page()


@bp.post("/profile")
@auth.account_required
def save_profile():
    _, refusal = _volunteer_only()
    if refusal:
        return refusal
    email = (request.form.get("email") or "").strip()
    changes = {"email": email or None}
    if request.form.get("education") in EDUCATION_LEVELS:
        changes["education"] = request.form["education"]
    if request.form.get("gender") in GENDERS:
        changes["gender"] = request.form["gender"]
    if email and (len(email) > 254 or not EMAIL.match(email)):
        return _profile_page(422, error="邮箱格式不正确。")
    try:
        registration.update_profile(auth.current_account(), changes)
    except DomainError as exc:
        return _profile_page(h5_errors.status_of(exc), error=exc.message)
    flash(MESSAGES["profile_saved"], "ok")
    return redirect(url_for("h5_me.profile"))


@bp.get("/password")
@auth.account_required
def password():
    return render_template("h5/password.html", title=TITLES["password"])


@bp.post("/password")
@auth.account_required
def change_password():
    old, new = request.form.get("old_password", ""), request.form.get("new_password", "")
    if new != request.form.get("new_password_again", ""):
        return render_template("h5/password.html", title=TITLES["password"], error="两次输入的新密码不一致。"), 422
    try:
        account_security.change_password(auth.current_account(), old, new,
                                         ttl_seconds=current_app.config["SESSION_TTL_SECONDS"])
    except DomainError as exc:
        page = render_template("h5/password.html", title=TITLES["password"], error=exc.message)
        return page, h5_errors.status_of(exc)
    flash(MESSAGES["password_changed"], "ok")
    return redirect(url_for("h5_me.me"))


def _card_page(status=200, **extra):
    account = auth.current_account()
    return render_template("h5/my_card.html", title=TITLES["card"], applications=card.my_applications(account),
                           link=card.card_link(account), banks=card_rules.BANK_LABELS,
                           card_types=card_rules.CARD_TYPE_LABELS, **extra), status


@bp.get("/card")
@auth.account_required
def my_card():
    _, refusal = _volunteer_only()
    return refusal or _card_page()


@bp.post("/card")
@auth.account_required
def apply_card():
    _, refusal = _volunteer_only()
    if refusal:
        return refusal
    form = {k: (request.form.get(k) or "").strip() for k in ("bank", "card_type", "delivery_name",
                                                             "delivery_phone", "delivery_address")}
    if form["bank"] not in card_rules.BANK_LABELS or form["card_type"] not in card_rules.CARD_TYPE_LABELS \
            or not all(form.values()) or len(form["delivery_address"]) > 255 or len(form["delivery_name"]) > 50:
        return _card_page(422, error="请完整填写办证信息。", form=form)
    try:
        card.apply(auth.current_account(), **form)
    except DomainError as exc:
        return _card_page(h5_errors.status_of(exc), error=exc.message, form=form)
    flash(MESSAGES["card_applied"], "ok")
    return redirect(url_for("h5_me.my_card"))


@bp.get("/code")
@auth.account_required
def my_code():
    _, refusal = _volunteer_only()
    if refusal:
        return refusal
    return render_template("h5/my_personal_code.html", title=TITLES["code"],
                           refresh_in=clock_codes.personal_code(auth.current_account())["refresh_in"])


@bp.get("/code.png")
@auth.account_required
def my_code_png():
    code = clock_codes.personal_code(auth.current_account())
    response = Response(qrimage.png(code["code"]), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response
