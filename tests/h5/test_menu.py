"""The service account's menu links only to pages that exist (handlers/menu.py)."""
from urllib.parse import urlsplit

from handlers.menu import menu_for
from tests.h5.conftest import oauth_login

BASE = "https://h5.example.org"


def view_urls(menu):
    for button in menu["button"]:
        for entry in [button] + button.get("sub_button", []):
            if entry.get("type") == "view":
                yield entry["name"], entry["url"]


def test_every_menu_link_opens_a_page(client, world, emulator, app):
    urls = list(view_urls(menu_for(BASE)))
    assert urls, "the menu has view buttons"
    oauth_login(client, emulator, "h5-vol", "/h5/")
    adapter = app.url_map.bind("h5.example.org")
    for name, url in urls:
        assert url.startswith(BASE + "/"), (name, url)
        path = urlsplit(url).path
        adapter.match(path, method="GET")  # raises NotFound for a page that does not exist
        response = client.get(path)
        assert response.status_code == 200, (name, url, response.status_code)
        assert response.mimetype == "text/html"


def test_the_home_page_is_the_first_button(app):
    first = menu_for(BASE)["button"][0]
    assert (first["name"], first["url"]) == ("做志愿", BASE + "/h5/")
