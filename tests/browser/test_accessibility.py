"""Every page passes axe-core's WCAG 2 A/AA checks (contrast, labels, names), with content on it."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.api.conftest import RunningServer
from tests.api.helpers import event, outbox, post_face_event

pytestmark = pytest.mark.browser

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page: Page) -> list[str]:
    results = Axe().run(page, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def test_every_page_is_accessible(page: Page, server: RunningServer, face_jpeg: bytes) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json"), face_jpeg)
    link = outbox(server.url, server.token, "email")[0]["text"].split("/approve?token=")[1].split()[0]
    pages = {
        "console": f"{server.url}/?token={server.token}",
        "door": f"{server.url}/door",
        "approval": f"{server.url}/approve?token={link}",
        "camera": f"{server.url}/camera",
        "outbox": f"{server.url}/outbox",
    }
    found = {}
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if name == "console":
            expect(page.locator("article.sighting")).to_have_count(1)
        found[name] = violations(page)
    assert found == {name: [] for name in pages}
