"""The console's door-device token on AWS: the signed-in owner's issueDeviceToken goes to AppSync with the id
token, and the command to run carries config.json's GraphQL URL and API key."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.hosted_pages import DEVICE_TOKEN
from tests.browser.test_accessibility import violations
from tests.browser.test_cognito_sign_in import (  # noqa: F401 - the hosted console's fixtures
    CHOSEN,
    NEIGHBOUR,
    TEMPORARY,
    Hosted,
    _session_tokens,
    _sign_in,
    hosted,
)
from tests.integration.moto_fixtures import aws, moto_server  # noqa: F401 - moto server fixtures
from tests.waiting import wait_until

pytestmark = pytest.mark.browser


def _issue(page: Page, camera_id: str) -> None:
    page.get_by_label("Camera id", exact=True).fill(camera_id)
    page.get_by_role("button", name="Issue token").click()


def test_the_owner_gets_the_command_with_the_api_key_and_url(page: Page, hosted: Hosted) -> None:  # noqa: F811
    page.goto(hosted.url + "/")
    _sign_in(page, "owner", TEMPORARY)
    page.get_by_label("New password").fill(CHOSEN)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    _issue(page, "porch")
    expect(page.get_by_label("Device token", exact=True)).to_have_value(DEVICE_TOKEN)
    expect(page.get_by_label("Command to run on the device")).to_have_value(
        f"SMARTDOOR_API_KEY='da2-test' SMARTDOOR_DEVICE_TOKEN='{DEVICE_TOKEN}' smartdoor device"
        f" --api '{hosted.appsync.url}' --camera-id porch --source 0"
    )
    assert wait_until(lambda: any("issueDeviceToken" in r.body["query"] for r in hosted.appsync.requests))
    issued = [r for r in hosted.appsync.requests if "issueDeviceToken" in r.body["query"]]
    tokens = _session_tokens(page)
    assert tokens is not None
    assert [(r.authorization, r.body["variables"]) for r in issued] == [(tokens["idToken"], {"c": "porch"})]
    assert DEVICE_TOKEN not in page.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage}])")
    assert violations(page) == []


def test_a_user_outside_the_owners_group_is_told_only_the_owner_can(page: Page, hosted: Hosted) -> None:  # noqa: F811
    page.goto(hosted.url + "/")
    _sign_in(page, "neighbour", NEIGHBOUR)
    expect(page.locator("#not-owner")).to_be_visible()
    _issue(page, "porch")
    expect(page.locator("#device-camera-problem")).to_have_text("Only the owner can do this.")
    expect(page.locator("#device-issued")).to_be_hidden()
