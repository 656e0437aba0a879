"""The shared MIME builder: one message that SMTP and SES can both carry (7-bit clean, photos inline)."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from smartdoor.adapters.mime import build_mime, image_type
from smartdoor.domain.model import Email

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_non_ascii_and_long_lines_go_out_7_bit_clean_and_come_back_whole() -> None:
    long_line = "x" * 1200  # over SMTP's 998-character line limit
    # Short non-ASCII lines: left to itself, the library would send them as 8bit.
    email = Email("owner@example.com", "Zoë\nis here", "Zoë está à porta 👋", f"<p>{long_line}</p>")

    raw = build_mime(email, "door@example.com", T0).as_bytes(policy=policy.SMTP)

    assert raw.isascii()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "Zoë is here"  # one line: a line break cannot inject a header
    assert parsed["Date"] == "Mon, 23 Nov 2026 12:00:00 +0000"
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    # Decoded parts keep the wire's CRLF line ends; a mail program shows them as plain line breaks.
    assert text.get_content().replace("\r\n", "\n") == email.text + "\n"
    assert html.get_content().replace("\r\n", "\n") == email.html + "\n"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xff\xd8\xff\xe0rest", ("image", "jpeg")),
        (b"\x89PNG\r\n\x1a\nrest", ("image", "png")),
        (b"GIF89arest", ("image", "gif")),
        (b"RIFF\x00\x00\x00\x00WEBPrest", ("image", "webp")),
        (b"%PDF-1.7", ("application", "octet-stream")),
    ],
)
def test_inline_parts_are_typed_by_their_magic_bytes(data: bytes, kind: tuple[str, str]) -> None:
    assert image_type(data) == kind
