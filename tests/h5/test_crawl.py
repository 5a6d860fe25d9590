"""Every link from the home page, as a volunteer and as an admin, two clicks deep, answers
without a client or server error (4xx/5xx)."""
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.h5.conftest import oauth_login


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href and not href.startswith(("#", "tel:", "mailto:", "javascript:")):
                self.hrefs.append(href)


def links_of(base, html):
    parser = Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost", "127.0.0.1:8000"):
            continue  # another site (none today): not ours to crawl
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(client, start, depth=2):
    """Breadth first from `start`: {url: status} of every page up to `depth` clicks away."""
    seen = {start: client.get(start).status_code}
    frontier = [start]
    for _ in range(depth):
        next_frontier = []
        for page in frontier:
            response = client.get(page)
            if response.mimetype != "text/html":
                continue
            for link in links_of("http://localhost" + page, response.get_data(as_text=True)):
                if link not in seen:
                    seen[link] = client.get(link).status_code
                    next_frontier.append(link)
        frontier = next_frontier
    return seen


@pytest.mark.parametrize("user", ["h5-vol", "h5-admin"])
def test_every_link_two_clicks_deep_answers(client, world, emulator, user):
    assert oauth_login(client, emulator, user, "/h5/").status_code == 200
    seen = crawl(client, "/h5/")
    broken = {url: status for url, status in seen.items() if status >= 400}
    assert not broken, broken
    assert len(seen) > 15  # the crawl really went somewhere
    if user == "h5-admin":
        assert f"/h5/admin/activities/{world.running.id}" in seen
        assert f"/h5/admin/activities/{world.running.id}/code?kind=checkin" in seen
    else:
        assert "/h5/me/records" in seen and f"/h5/activities/{world.open.id}" in seen
