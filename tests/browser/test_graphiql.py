"""GraphiQL at /graphql with the network cut off: everything it needs comes from the local server."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.api.conftest import RunningServer
from tests.api.helpers import event, post_face_event
from tests.scenarios.local_door import open_console

pytestmark = pytest.mark.browser


def cut_off_the_internet(page: Page) -> list[str]:
    """Refuse every request that does not go to the local server; return the refused URLs."""
    refused: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    page.context.route("**/*", only_local)
    return refused


def set_query(page: Page, text: str) -> None:
    # GraphiQL's editors are CodeMirror 5: set the text the way its own keymap would, in one edit.
    page.locator(".graphiql-query-editor .CodeMirror").evaluate(
        "(el, text) => el.CodeMirror.setValue(text)", text
    )


def run(page: Page) -> None:
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()


def result(page: Page) -> str:
    return page.locator(".result-window").inner_text()


def wait_for_subscriber(server: RunningServer) -> None:
    deadline = time.monotonic() + 20
    while server.door.broker.subscriber_count == 0:
        assert time.monotonic() < deadline, "GraphiQL's subscription never reached the server"
        time.sleep(0.02)


def test_graphiql_works_offline_queries_and_subscribes(page: Page, server: RunningServer) -> None:
    refused = cut_off_the_internet(page)
    page.goto(f"{server.url}/graphql#token={server.token}")
    # The token filled the Headers tab and left the address bar.
    headers = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")
    expect(headers).to_contain_text(f'"Authorization": "Bearer {server.token}"')
    assert "token" not in page.url
    # A query, with the owner's header.
    set_query(page, "query { visitors(limit: 5) { items { name } } }")
    run(page)
    expect(page.locator(".result-window")).to_contain_text('"items": []')
    # A subscription over the websocket: an event arrives when a face does.
    set_query(page, "subscription { onSighting { cameraId status } }")
    run(page)
    wait_for_subscriber(server)
    post_face_event(server.url, server.token, event("unknown_face.json")).raise_for_status()
    expect(page.locator(".result-window")).to_contain_text('"status": "PENDING"')
    assert '"cameraId": "front-door"' in result(page)
    assert refused == []


def test_the_console_opens_graphiql_signed_in(page: Page, server: RunningServer) -> None:
    refused = cut_off_the_internet(page)
    open_console(page, server)
    page.get_by_role("link", name="GraphiQL").click()
    expect(page).to_have_title("Smart Door · GraphiQL")
    expect(page.locator(".graphiql-container")).to_be_visible()
    assert "token" not in page.url
    set_query(page, "query { visitors(limit: 5) { items { name } } }")
    run(page)
    expect(page.locator(".result-window")).to_contain_text('"items": []')
    assert refused == []


def test_a_forbidden_answer_says_which_header_to_send(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/graphql")
    set_query(page, "query { visitors(limit: 5) { items { name } } }")
    run(page)
    expect(page.locator(".result-window")).to_contain_text("FORBIDDEN")
    expect(page.locator(".result-window")).to_contain_text("Authorization: Bearer <owner token>")
    # A subscription without the header: the websocket is refused, and the answer says why.
    set_query(page, "subscription { onSighting { id } }")
    run(page)
    expect(page.locator(".result-window")).to_contain_text(
        "The server refused the websocket: send the header Authorization: Bearer <owner token>"
    )
