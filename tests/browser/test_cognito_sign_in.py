"""The console on AWS: served as CloudFront serves it, signing the owner in with a Cognito user pool (moto's
cognito-idp on 127.0.0.1), its GraphQL requests carrying the id token to a recording stand-in for AppSync."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.hosted_pages import AppSyncStandIn, appsync_stand_in, claims, page_server, serving
from tests.browser.test_accessibility import violations
from tests.integration.moto_fixtures import Aws, aws, moto_server  # noqa: F401 - moto server fixtures
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

TEMPORARY = "Temp-Passw0rd!"
CHOSEN = "Chosen-Passw0rd!"
NEIGHBOUR = "Neighbour-Passw0rd!"


@dataclass
class Hosted:
    url: str
    appsync: AppSyncStandIn
    cognito: Any
    client_id: str


@pytest.fixture
def hosted(aws: Aws) -> Iterator[Hosted]:  # noqa: F811 - the fixture imported above
    cognito = aws.client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="smartdoor-owners")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="smartdoor-console",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.create_group(UserPoolId=pool, GroupName="owners")
    # The owner as an administrator creates one: a temporary password, to be changed at first sign-in.
    cognito.admin_create_user(
        UserPoolId=pool, Username="owner", TemporaryPassword=TEMPORARY, MessageAction="SUPPRESS"
    )
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="owner", GroupName="owners")
    cognito.admin_create_user(UserPoolId=pool, Username="neighbour", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="neighbour", Password=NEIGHBOUR, Permanent=True)
    api, record = appsync_stand_in()
    with serving(api):
        config = {
            "mode": "appsync",
            "graphqlUrl": record.url,
            # No real-time peer here (another tier's): the console keeps reconnecting, which is fine.
            "realtimeUrl": record.url.replace("http://", "ws://") + "/realtime",
            "apiKey": "da2-test",
            "region": "us-east-1",
            "userPoolId": pool,
            "userPoolClientId": client_id,
            "cognitoEndpoint": aws.endpoint + "/",
        }
        with serving(page_server(config)) as url:
            yield Hosted(url, record, cognito, client_id)


def _session_tokens(page: Page) -> dict[str, Any] | None:
    stored: dict[str, Any] | None = page.evaluate("JSON.parse(sessionStorage.getItem('smartdoor-cognito'))")
    return stored


def _sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_the_owner_sets_a_password_and_the_api_gets_the_id_token(page: Page, hosted: Hosted) -> None:
    page.goto(hosted.url + "/")
    _sign_in(page, "owner", TEMPORARY)
    page.get_by_label("New password").fill(CHOSEN)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert wait_until(lambda: len(hosted.appsync.requests) >= 3)
    tokens = _session_tokens(page)
    assert tokens is not None
    assert {r.authorization for r in hosted.appsync.requests} == {tokens["idToken"]}
    assert {r.api_key for r in hosted.appsync.requests} == {None}
    token = claims(tokens["idToken"])
    assert (token["token_use"], token["cognito:username"], token["cognito:groups"]) == (
        "id",
        "owner",
        ["owners"],
    )
    expect(page.locator("#not-owner")).to_be_hidden()
    expect(page.locator("#cognito")).to_be_hidden()
    # The password was set for real: the owner signs in with it from now on, without a challenge.
    again = hosted.cognito.initiate_auth(
        ClientId=hosted.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "owner", "PASSWORD": CHOSEN},
    )
    assert "AuthenticationResult" in again
    # Sign-out forgets the tokens and shows the sign-in form again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert _session_tokens(page) is None


def test_a_wrong_password_says_so_and_asks_the_api_nothing(page: Page, hosted: Hosted) -> None:
    page.goto(hosted.url + "/")
    _sign_in(page, "owner", "not-the-password")
    expect(page.locator("#signin-problem")).to_have_text("Wrong username or password.")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert _session_tokens(page) is None
    assert hosted.appsync.requests == []


def test_a_user_outside_the_owners_group_is_told_so(page: Page, hosted: Hosted) -> None:
    page.goto(hosted.url + "/")
    _sign_in(page, "neighbour", NEIGHBOUR)
    # Visible first: the notice's text is in the page, hidden, from the start: the text alone matches at once.
    expect(page.locator("#not-owner")).to_be_visible()
    expect(page.locator("#not-owner")).to_contain_text("This account is not the door's owner")
    tokens = _session_tokens(page)
    assert tokens is not None
    assert hosted.appsync.requests
    assert {r.authorization for r in hosted.appsync.requests} == {tokens["idToken"]}
    expect(page.locator("#sightings")).to_contain_text("Only the door's owner sees this.")


def test_the_pages_paths_are_the_local_servers(page: Page, hosted: Hosted) -> None:
    # /door and /deny are rewritten to their files, as the CloudFront Function does; config.json is appsync.
    page.goto(hosted.url + "/door")
    expect(page).to_have_title("Smart Door · Door")
    config = page.evaluate("fetch('/config.json').then((r) => r.json())")
    assert config["mode"] == "appsync"


def test_the_sign_in_steps_are_accessible(page: Page, hosted: Hosted) -> None:
    page.goto(hosted.url + "/")
    _sign_in(page, "owner", "not-the-password")
    expect(page.locator("#signin-problem")).to_have_text("Wrong username or password.")
    found = {"sign-in": violations(page)}
    _sign_in(page, "owner", TEMPORARY)
    expect(page.get_by_label("New password")).to_be_visible()
    found["new password"] = violations(page)
    assert found == {"sign-in": [], "new password": []}


def test_the_id_token_is_refreshed_before_it_expires_and_the_next_request_carries_it(
    page: Page, hosted: Hosted
) -> None:
    hosted.appsync.sightings.append(
        {
            "id": "s1",
            "faceId": "f1",
            "cameraId": "door",
            "status": "PENDING",
            "createdAt": "2026-12-01T10:00:00+00:00",
            "visitorId": None,
            "photo": None,
            "facePhoto": None,
        }
    )
    page.clock.install()  # the page's timers and Date.now() move only when the test says
    page.goto(hosted.url + "/")
    _sign_in(page, "owner", TEMPORARY)
    page.get_by_label("New password").fill(CHOSEN)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    first = _session_tokens(page)
    assert first is not None
    # moto's id tokens last an hour: 55 minutes on, the console refreshes with REFRESH_TOKEN_AUTH.
    page.clock.fast_forward(55 * 60 * 1000)
    assert wait_until(lambda: (_session_tokens(page) or first)["idToken"] != first["idToken"])
    refreshed = _session_tokens(page)
    assert refreshed is not None
    assert refreshed["refreshToken"] == first["refreshToken"]
    assert claims(refreshed["idToken"])["cognito:username"] == "owner"
    before = len(hosted.appsync.requests)
    page.get_by_role("button", name="Approve").click()
    assert wait_until(lambda: len(hosted.appsync.requests) > before)
    assert hosted.appsync.requests[before].authorization == refreshed["idToken"]
    assert "approveVisitor" in hosted.appsync.requests[before].body["query"]
