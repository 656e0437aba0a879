"""The owner issues a door device's token in the console: shown once with the command to run on the device,
accepted by the API as that camera's, and kept nowhere in the browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.api.conftest import RunningServer
from tests.api.test_upload_grants import grant
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser

RULE = "A camera id is 1-256 letters, digits, '_', '.' or '-' (not '.' or '..')."


def issue(page: Page, camera_id: str) -> None:
    page.get_by_label("Camera id", exact=True).fill(camera_id)
    page.get_by_role("button", name="Issue token").click()


def stored(page: Page) -> Any:
    # Every value either storage holds, as one text to search.
    return page.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage}])")


def test_the_owner_issues_a_token_the_api_accepts_for_that_camera(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/?token={server.token}")
    expect(page.locator("#live")).to_have_text("live")
    issue(page, "porch")
    expect(page.locator("#device-issued")).to_be_visible()
    token = page.get_by_label("Device token", exact=True).input_value()
    assert token
    expect(page.get_by_label("Command to run on the device")).to_have_value(
        f"SMARTDOOR_DEVICE_TOKEN='{token}' smartdoor device --api '{server.url}/graphql'"
        " --camera-id porch --source 0"
    )
    expect(page.locator("#device-issued")).to_contain_text(
        "Anyone holding it can upload frames as camera porch"
    )
    expect(page.locator("#device-issued")).to_contain_text("rotate the door's key")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy token").click()
    expect(page.locator("#device-copied")).to_have_text("Token copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == token
    # The token works as the device would use it: a one-frame grant for porch.
    assert grant(server, token, camera="porch").key.startswith("frames/porch/")
    assert token not in stored(page)
    assert violations(page) == []


def test_a_new_token_replaces_the_last_one_shown(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/?token={server.token}")
    issue(page, "porch")
    first = page.get_by_label("Device token", exact=True)
    expect(first).not_to_have_value("")
    porch = first.input_value()
    issue(page, "garage")
    expect(page.locator("#device-issued-camera")).to_have_text("garage")
    expect(page.get_by_label("Device token", exact=True)).not_to_have_value(porch)
    expect(page.get_by_label("Command to run on the device")).to_have_value(
        re.compile(r" --camera-id garage ")
    )


def test_a_camera_id_the_api_would_refuse_gets_the_rule_and_no_request(
    page: Page, server: RunningServer
) -> None:
    issued: list[str] = []
    page.on("request", lambda r: issued.append(r.post_data or "") if r.url.endswith("/graphql") else None)
    page.goto(f"{server.url}/?token={server.token}")
    expect(page.locator("#live")).to_have_text("live")
    issue(page, "front door")
    camera = page.get_by_label("Camera id", exact=True)
    expect(page.locator("#device-camera-problem")).to_have_text(RULE)
    expect(camera).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#device-issued")).to_be_hidden()
    assert not [body for body in issued if "issueDeviceToken" in body]
    assert violations(page) == []
    # Typing again clears the complaint.
    camera.fill("porch")
    expect(page.locator("#device-camera-problem")).to_have_text("")
    expect(camera).not_to_have_attribute("aria-invalid", "true")


def test_someone_without_the_owner_token_is_told_only_the_owner_can(
    page: Page, server: RunningServer
) -> None:
    page.goto(f"{server.url}/?token=not-the-owners")
    issue(page, "porch")
    expect(page.locator("#device-camera-problem")).to_have_text("Only the owner can do this.")
    expect(page.locator("#device-issued")).to_be_hidden()
