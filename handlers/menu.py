"""The service account's custom menu, as data. `flask wechat push-menu` sends it to WeChat.

WeChat allows at most 3 top-level buttons (4 Chinese characters each) and 5 entries per
submenu. "{base}" stands for PUBLIC_BASE_URL. CLICK keys are routed by handlers/routes.py.
"""
import copy
import json

import click
from flask import Blueprint, current_app

from app.wechat.gateway import WechatApiError, get_gateway

# Commands only (no routes): `flask wechat push-menu`.
bp = Blueprint("wechat_menu", __name__, cli_group="wechat")

KEY_MY_HOURS = "MY_HOURS"
KEY_MY_ACTIVITIES = "MY_ACTIVITIES"
KEY_BIND = "BIND"
KEY_CUSTOMER_SERVICE = "CUSTOMER_SERVICE"
KEY_HELP = "HELP"
KEY_SCAN_CLOCK = "SCAN_CLOCK"

MENU = {
    "button": [
        {"type": "view", "name": "做志愿", "url": "{base}/h5/"},
        {
            "name": "我的",
            "sub_button": [
                {"type": "scancode_waitmsg", "name": "扫码计时", "key": KEY_SCAN_CLOCK},
                {"type": "click", "name": "我的时长", "key": KEY_MY_HOURS},
                {"type": "click", "name": "我的活动", "key": KEY_MY_ACTIVITIES},
                {"type": "view", "name": "绑定帐号", "url": "{base}/h5/bind/"},
            ],
        },
        {
            "name": "服务",
            "sub_button": [
                {"type": "click", "name": "人工客服", "key": KEY_CUSTOMER_SERVICE},
                {"type": "click", "name": "使用帮助", "key": KEY_HELP},
            ],
        },
    ]
}


def menu_for(base_url):
    """The menu with "{base}" replaced by the public origin."""
    menu = copy.deepcopy(MENU)
    for button in menu["button"]:
        for entry in [button] + button.get("sub_button", []):
            if "url" in entry:
                entry["url"] = entry["url"].replace("{base}", base_url)
    return menu


def menu_problems(menu):
    """WeChat's documented limits; [] when the menu is acceptable."""
    problems = []
    buttons = menu.get("button", [])
    if not 1 <= len(buttons) <= 3:
        problems.append("1 to 3 top-level buttons")
    for button in buttons:
        if len(button["name"].encode("utf-8")) > 16:
            problems.append(f"top-level name too long: {button['name']}")
        subs = button.get("sub_button")
        if subs is not None and not 1 <= len(subs) <= 5:
            problems.append(f"1 to 5 entries under {button['name']}")
        for entry in subs or []:
            if len(entry["name"].encode("utf-8")) > 60:
                problems.append(f"entry name too long: {entry['name']}")
        for entry in ([button] if subs is None else subs):
            if entry.get("type") in ("click", "scancode_waitmsg", "scancode_push") and not entry.get("key"):
                problems.append(f"{entry['name']} needs a key")
            if entry.get("type") == "view" and not entry.get("url"):
                problems.append(f"{entry['name']} needs a url")
    return problems


@bp.cli.command("push-menu")
@click.option("--dry-run", is_flag=True, help="Print the menu instead of sending it.")
def push_menu(dry_run):
    """Send the menu above to WeChat (/cgi-bin/menu/create)."""
    menu = menu_for(current_app.config["PUBLIC_BASE_URL"])
    problems = menu_problems(menu)
    if problems:
        raise click.ClickException("; ".join(problems))
    if dry_run:
        click.echo(json.dumps(menu, ensure_ascii=False, indent=2))
        return
    try:
        get_gateway().create_menu(menu)
    except WechatApiError as exc:
        raise click.ClickException(f"WeChat refused the menu: {exc}") from None
    click.echo(f"menu pushed to {current_app.config['WECHAT_API_BASE']}")
