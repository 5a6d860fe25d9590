"""The city-service pages' own error pages: what happened and what to do next, never a stack
trace. A refusal (DomainError) raised by a page is answered by the app's one translation for /h5/
(app/errorhandlers.py page_refusal, with the catalogue's message); this module adds the pages
only the H5 entry has — an expired form (CSRF), a failed WeChat OAuth, an account or an admin
needed, an unknown page — with their texts in app/h5/texts.py. Both look the same: one template,
templates/h5/error.html, rendered by errorhandlers.h5_error_page."""
from flask import render_template, request, url_for

from app import errorhandlers
from app.h5.texts import ERRORS, MESSAGES, NAV, TITLES

H5_PREFIX = "/h5/"


def status_of(error):
    """The status a page answers a refusal with (the same as the API gives its code)."""
    return errorhandlers.page_status(error)


def error_page(kind, status, message=None, actions=None):
    title, text, next_step = ERRORS[kind]
    text = text.format(message=message) if message is not None else text
    actions = actions or [(NAV["home"], "/h5/")]
    return errorhandlers.h5_error_page(status, title, text, next_step, actions)


def back_actions():
    actions = []
    referrer = request.referrer or ""
    if "/h5/" in referrer and referrer.split("?")[0] != request.url.split("?")[0]:
        actions.append((NAV["back"], referrer))
    actions.append((NAV["home"], "/h5/"))
    return actions


def csrf_page():
    return error_page("csrf", 400, actions=back_actions())


def oauth_failed_page(next_page):
    return error_page("oauth", 400, actions=[(NAV["retry"], url_for("h5_home.oauth", next=next_page))])


def wechat_unavailable_page(next_page):
    return error_page("wechat_down", 503, actions=[(NAV["retry"], url_for("h5_home.oauth", next=next_page))])


def need_account_page():
    return render_template("h5/need_account.html", title=TITLES["need_account"], text=MESSAGES["need_account"],
                           register_hint=MESSAGES["register_hint"])


def need_admin_page():
    return errorhandlers.h5_error_page(403, TITLES["error"], MESSAGES["need_admin"],
                                       actions=[(NAV["bind"], "/h5/bind/"), (NAV["home"], "/h5/")])


def http_error_page(error):
    if error.code == 404:
        return error_page("not_found", 404)
    if error.code == 405:
        return error_page("method", 405)
    return error_page("domain", error.code or 400, message=error.description or "", actions=back_actions())


def handle_http_error(error):
    """The app's handler for HTTP errors (unmatched URLs included, which no blueprint sees): a
    page under /h5/, the app's usual answer elsewhere."""
    if request.path.startswith(H5_PREFIX):
        return http_error_page(error)
    return errorhandlers.handle_unexpected(error)
