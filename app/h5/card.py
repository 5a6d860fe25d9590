"""The volunteer card's public page (the QR code printed on 注册志愿者证) and the volunteer's own
rotating personal-code page for the mini-program's web-view, under /h5/card.

Two pages show the personal code, one per way in: /h5/card/my-code#token=… for the mini-program's
web-view (its bearer token, no WeChat OAuth there), and /h5/me/code (app/h5/me.py, linked from 我的)
for the city-service pages, on the H5 session. The first links to the second for a visitor who
arrives without a token.

The public page shows what is safe to show a stranger — masked name, volunteer number, hours and
star level — and nothing more; a token that is not genuine gets the same "not found" page
(CARD_NOT_FOUND, through the app's error page) as a volunteer who does not exist.
"""
from flask import Blueprint, Response, current_app, render_template

from app.services import card, qrimage

bp = Blueprint("h5_card", __name__, url_prefix="/h5/card")

STARS = "★★★★★"


@bp.get("/my-code")
def my_code():
    """The volunteer's personal code, refreshed every 30 s from /api/v1/me/dynamic-code.

    The mini-program's web-view passes its session token in the URL fragment (#token=…), which
    never reaches a server or a log. The city-service pages use /h5/me/code instead.
    """
    return render_template("h5/my_code.html")


@bp.get("/<token>")
def public_card(token):
    data = card.public_card(token)
    response = Response(render_template("h5/card.html", card=data, stars=STARS[:data["star_level"]],
                                        empty_stars="☆" * (5 - data["star_level"])))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/<token>/qr.png")
def card_qr(token):
    """The card's volunteer QR code: the signed link to the public page above."""
    card.public_card(token)  # CARD_NOT_FOUND unless the page above shows a card
    url = f"{current_app.config['PUBLIC_BASE_URL']}/h5/card/{token}"
    return Response(qrimage.png(url), mimetype="image/png")
