"""/h5/: the city-service home page (微信 → 我 → 服务 → 城市服务 → 志愿服务, and the service
account menu's 做志愿), and the WeChat OAuth entry every H5 page goes through."""
from flask import Blueprint, redirect, render_template, request, session

from app.h5 import auth
from app.h5 import errors as h5_errors
from app.h5.texts import TITLES
from app.services import volunteer_overview, wechat_oauth
from app.timeutil import utcnow

bp = auth.protect(Blueprint("h5_home", __name__, url_prefix="/h5"))


@bp.get("/")
@auth.wechat_user
def home():
    data = volunteer_overview.home(auth.current_account(), now=utcnow())
    return render_template("h5/home.html", title=TITLES["home"], **data)


@bp.get("/oauth")
def oauth():
    """Start WeChat OAuth, then land on ?next= (one of our pages; the home page otherwise)."""
    return auth.oauth_redirect(request.args.get("next"))


@bp.get("/oauth/callback")
def oauth_callback():
    """WeChat comes back here with a single-use code and our state."""
    next_page = auth.safe_next(session.get(auth.OAUTH_NEXT))
    try:
        landing = auth.finish_oauth(request.args.get("code", ""), request.args.get("state", ""))
    except wechat_oauth.OAuthUnavailable:
        return h5_errors.wechat_unavailable_page(next_page)
    except wechat_oauth.OAuthRefused:
        return h5_errors.oauth_failed_page(next_page)
    return redirect(landing)
