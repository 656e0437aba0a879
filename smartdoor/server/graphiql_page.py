"""GraphiQL at GET /graphql, served from this server: its files come from the pinned npm packages that
scripts/setup installs into frontend/graphiql/node_modules, so the page works offline, with no CDN."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
PACKAGES = FRONTEND / "graphiql" / "node_modules"

# Only these files are served, by name: never the whole node_modules folder.
ASSETS = {
    "react.js": "react/umd/react.production.min.js",
    "react-dom.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.js": "graphiql/dist/index.umd.js",
    "graphiql.css": "graphiql/dist/style.css",
    "graphql-ws.js": "graphql-ws/umd/graphql-ws.min.js",
}

# Scripts only from this server; GraphiQL sets inline styles and embeds its fonts and icons as data: URLs.
# The websocket to /graphql is covered by 'self'. No framing, as for every page.
GRAPHIQL_HEADERS = {
    "cache-control": "no-cache",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; object-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    ),
}

MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Smart Door · GraphiQL is not installed</title>
<link rel="stylesheet" href="/static/smartdoor.css"></head>
<body><main><h1>GraphiQL is not installed</h1>
<p>The API at <code>/graphql</code> works (POST queries, <code>graphql-transport-ws</code> subscriptions),
but the GraphiQL page needs its files from npm, which this machine has not installed.</p>
<p>Install Node.js with npm, then run <code>bash scripts/setup</code> (or <code>bash scripts/run</code>)
again: it installs the pinned packages from <code>frontend/graphiql/package.json</code>.</p>
</main></body></html>
"""


def assets_installed(packages: Path = PACKAGES) -> bool:
    return all((packages / relative).is_file() for relative in ASSETS.values())


def graphiql_page(packages: Path = PACKAGES) -> Response:
    if not assets_installed(packages):
        return HTMLResponse(MISSING, status_code=503, headers=GRAPHIQL_HEADERS)
    return FileResponse(FRONTEND / "graphiql.html", headers=GRAPHIQL_HEADERS)


async def graphiql_asset(request: Request) -> Response:
    relative = ASSETS.get(request.path_params["name"])
    if relative is None or not (PACKAGES / relative).is_file():
        return JSONResponse({"error": "No such file."}, status_code=404)
    return FileResponse(
        PACKAGES / relative, headers={"cache-control": "no-cache", "x-content-type-options": "nosniff"}
    )


def graphiql_routes() -> list[Route]:
    return [Route("/graphiql/{name}", graphiql_asset, methods=["GET"])]
