"""What the door says: the owner's email and the visitor's SMS. Every name is escaped in HTML."""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import quote

from smartdoor.domain.model import Email, Sighting, Sms

PHOTO_CID = "visitor-photo"


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


def new_visitor_email(to: str, sighting: Sighting, public_url: str, token: str, photo: bytes | None) -> Email:
    base = public_url.rstrip("/")
    approve = f"{base}/approve?token={quote(token)}"
    deny = f"{base}/deny?token={quote(token)}"
    camera, when = sighting.camera_id, _when(sighting.created_at)
    text = (
        f"Someone you don't know yet is at your door.\n\nCamera: {camera}\nTime: {when}\n\n"
        f"Let them in (you will enter their name and phone): {approve}\n"
        f"Turn them away: {deny}\n\nThese links work once and expire.\n"
    )
    picture = (
        f'<p><img src="cid:{PHOTO_CID}" alt="The visitor at your door"'
        ' style="max-width:100%;max-height:320px"></p>'
        if photo
        else "<p><em>No photo was captured.</em></p>"
    )
    html = (
        '<!doctype html><html><body style="font-family:sans-serif">'
        "<h1>Someone is at your door</h1>"
        f"{picture}"
        f"<p>Camera: <strong>{escape(camera)}</strong><br>Time: {escape(when)}</p>"
        f'<p><a href="{escape(approve)}">Approve and register</a> &middot; '
        f'<a href="{escape(deny)}">Deny</a></p>'
        "<p>These links work once and expire.</p></body></html>"
    )
    return Email(
        to=to,
        subject=f"Visitor at {camera}, {when}",
        text=text,
        html=html,
        inline_images=((PHOTO_CID, photo),) if photo else (),
    )


def failure_alert_email(to: str, failures: int, at: datetime) -> Email:
    text = (
        f"More than {failures} wrong passcodes were typed at your door within a minute ({_when(at)}).\n"
        "Someone may be guessing codes. Clients that keep guessing are locked out.\n"
    )
    return Email(
        to=to,
        subject="Smart Door: many wrong passcodes",
        text=text,
        html=f"<!doctype html><html><body><p>{escape(text)}</p></body></html>",
    )


def passcode_sms(phone_number: str, name: str, code: str, minutes: int) -> Sms:
    return Sms(
        phone_number=phone_number,
        text=f"Hi {name}, your Smart Door passcode is {code}. It opens the door once, within {minutes} min.",
    )
