"""Where the pages live and what may load into them: one table for every edge that serves frontend/.

The local server routes these paths to their files; on AWS a CloudFront Function rewrites them the same
way (its code is generated from this table), and the browser tests' static server applies it too, so the
three cannot drift. The content security policy is built here for the same reason: the CDK app sends it
from CloudFront and the tests' server sends the very same text, so a page that needs more than it allows
fails a test rather than a deployment.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

PAGES: dict[str, str] = {
    "/": "index.html",
    "/door": "door.html",
    "/approve": "approve.html",
    "/deny": "approve.html",
    "/outbox": "outbox.html",
    "/camera": "camera.html",
}

# Anything else is a file of frontend/ under its own name (/static/..., /config.json).


def page_file(path: str) -> str:
    """The object key a request path is served from (without the leading slash)."""
    return PAGES.get(path, path).lstrip("/")


def cloudfront_function_code() -> str:
    """A viewer-request CloudFront Function (cloudfront-js-2.0) that applies PAGES to the URI.

    A trailing slash is dropped first, so /door/ is /door, as a link typed by hand often ends.
    """
    table = json.dumps(PAGES, sort_keys=True)
    return (
        f"var PAGES = {table};\n"
        "function handler(event) {\n"
        "  var request = event.request;\n"
        "  var uri = request.uri;\n"
        "  if (uri.length > 1 && uri.charAt(uri.length - 1) === '/') uri = uri.slice(0, -1);\n"
        "  if (Object.prototype.hasOwnProperty.call(PAGES, uri)) request.uri = '/' + PAGES[uri];\n"
        "  return request;\n"
        "}\n"
    )


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


def inline_script_hashes(frontend: Path) -> list[str]:
    """CSP hash sources of the pages' inline scripts, so script-src needs no 'unsafe-inline'."""
    hashes: set[str] = set()
    for html in sorted(frontend.glob("*.html")):
        for body in _INLINE_SCRIPT.findall(html.read_text(encoding="utf-8")):
            digest = hashlib.sha256(body.encode("utf-8")).digest()
            hashes.add(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return sorted(hashes)


def content_security_policy(
    *, connect: Iterable[str], images: Iterable[str], script_hashes: Iterable[str]
) -> str:
    """The pages' CSP: their own files, the given API and sign-in endpoints, the given photo origins.

    frame-ancestors 'none': a framed console could be clicked into approving or forgetting someone.
    """
    return "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(["'self'", *script_hashes]),
            "style-src 'self'",
            "img-src " + " ".join(["'self'", *images]),
            "connect-src " + " ".join(["'self'", *connect]),
            "manifest-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )
