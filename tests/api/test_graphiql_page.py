"""GET /graphql in a browser: GraphiQL from this server's own files, under a strict content policy."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from smartdoor.server.graphiql_page import graphiql_page
from tests.api.conftest import RunningServer

pytestmark = pytest.mark.api

HTML = {"accept": "text/html"}


def test_graphiql_loads_nothing_from_elsewhere(server: RunningServer) -> None:
    response = httpx.get(f"{server.url}/graphql", headers=HTML)
    assert response.status_code == 200
    assert "https://" not in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    for name in ("react.js", "react-dom.js", "graphiql.js", "graphiql.css", "graphql-ws.js"):
        assert f"/graphiql/{name}" in response.text
        assert httpx.get(f"{server.url}/graphiql/{name}").status_code == 200, name


def test_only_the_listed_files_are_served(server: RunningServer) -> None:
    for name in ("package.json", "..%2Fpackage.json", "graphiql%2Fpackage.json", ".package-lock.json"):
        assert httpx.get(f"{server.url}/graphiql/{name}").status_code == 404, name


def test_without_npm_the_page_says_how_to_get_graphiql(tmp_path: Path) -> None:
    response = graphiql_page(packages=tmp_path / "node_modules")
    assert response.status_code == 503
    body = bytes(response.body).decode()
    assert "Install Node.js with npm, then run <code>bash scripts/setup</code>" in body
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
