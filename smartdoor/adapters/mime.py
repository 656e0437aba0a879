"""The owner's email as one MIME message: text and HTML alternatives, the photo inline (cid:).

Shared by every mailer that hands over a whole message (SMTP locally, SES's raw send on AWS), so it imports
only the standard library and the domain.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from smartdoor.domain.model import Email


def image_type(data: bytes) -> tuple[str, str]:
    """Content type from the magic bytes: an Email keeps no type, and the camera may send either."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image", "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image", "webp"
    return "application", "octet-stream"


def _transfer_encoding(text: str) -> str | None:
    # 7-bit clean on the wire: SES takes raw messages as 7-bit ASCII only, and an SMTP relay without
    # 8BITMIME would have to convert an 8bit part itself. Quoted-printable keeps mostly-ASCII text readable.
    # ASCII text keeps the library's choice (7bit, or quoted-printable for lines over 998 characters).
    return None if text.isascii() else "quoted-printable"


def build_mime(email: Email, sender: str, sent_at: datetime) -> EmailMessage:
    """multipart/alternative: the text, then the HTML inside multipart/related with its cid: images."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    # A header with a line break would be refused (or worse, inject headers): keep the subject on one line.
    message["Subject"] = " ".join(email.subject.split())
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(email.text, cte=_transfer_encoding(email.text))
    message.add_alternative(email.html, subtype="html", cte=_transfer_encoding(email.html))
    html_part = next(part for part in message.iter_parts() if part.get_content_type() == "text/html")
    for cid, data in email.inline_images:
        maintype, subtype = image_type(data)
        html_part.add_related(
            data, maintype, subtype, cid=f"<{cid}>", disposition="inline", filename=f"{cid}.{subtype}"
        )
    return message
