"""Outbox ids derived from the unit of work that queues a message, so a retried unit queues it once.

Two different messages never share a key: a sighting has one new-visitor email, and a passcode's keyed hash
is unique among live codes, so with its creation time (when no other code with that hash was live) it names
one passcode, and its SMS, for good.
"""

from __future__ import annotations

from datetime import UTC

from smartdoor.domain.model import Passcode


def sighting_email_key(sighting_id: str) -> str:
    return f"email:sighting:{sighting_id}"


def passcode_sms_key(passcode: Passcode) -> str:
    created = passcode.created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"sms:passcode:{passcode.code_hash[:32]}:{created}"
