"""The local outbox: every email and SMS the door sends is stored first, so an SMTP outage loses nothing."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from smartdoor.adapters.local.database import Database, from_micros, to_micros
from smartdoor.adapters.local.sqlite_rows import storage
from smartdoor.domain.model import Email, Sms
from smartdoor.ports import Clock

Kind = Literal["email", "sms"]
_COLUMNS = "id, kind, recipient, subject, body_text, body_html, created_at, status, error, tries, message_key"
_MAX_ERROR = 1000  # an SMTP transcript can be long; the page only needs the gist
# Due: an email never tried, or failed with its retry time come, and held by no live claim.
_DUE = (
    "FROM outbox WHERE kind = 'email'"
    " AND (status = 'stored' OR (status = 'failed' AND COALESCE(next_try_at, 0) <= ?))"
    " AND COALESCE(claimed_until, 0) <= ? ORDER BY id LIMIT ?"
)


def _due(now: datetime) -> tuple[int, int]:
    return to_micros(now), to_micros(now)


@dataclass(frozen=True)
class OutboxMessage:
    """One stored message as the outbox pages show it (images are fetched separately by cid)."""

    id: int
    kind: Kind
    recipient: str
    subject: str
    text: str
    html: str
    created_at: datetime
    status: str  # stored | sent | failed
    error: str | None
    tries: int  # delivery attempts, the successful one included
    image_cids: tuple[str, ...]
    key: str | None = None  # derived from the unit of work that queued it (Email.key, Sms.key)


@dataclass(frozen=True)
class PendingEmail:
    """An email waiting for SMTP delivery, rebuilt with its inline images."""

    id: int
    tries: int
    email: Email


class Outbox:
    """Stores outgoing mail and SMS (implements ports.Mailer and ports.SmsSender); a worker delivers email."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def send(self, message: Email | Sms) -> None:
        """Store the message (and an email's inline images) in one transaction; a message whose key is
        stored already is not stored again (a retried unit of work)."""
        if isinstance(message, Email):
            row = ("email", message.to, message.subject, message.text, message.html)
            images = message.inline_images
        else:
            row = ("sms", message.phone_number, "", message.text, "")
            images = ()
        with storage(f"store the outgoing {row[0]}"), self._db.transaction() as conn:
            stored = conn.execute(
                "INSERT INTO outbox (kind, recipient, subject, body_text, body_html, created_at, message_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_key) DO NOTHING RETURNING id",
                (*row, to_micros(self._clock.now()), message.key),
            ).fetchone()
            if stored is None:
                return  # queued before, by the same unit of work
            conn.executemany(
                "INSERT INTO outbox_images (message_id, cid, data) VALUES (?, ?, ?)",
                [(stored[0], cid, data) for cid, data in images],
            )

    def list(self, limit: int = 100, kind: str | None = None) -> builtins.list[OutboxMessage]:
        """Newest first (by insertion order, which a clock set back cannot reorder); kind: email or sms."""
        where, params = ("WHERE kind = ?", (kind,)) if kind else ("", ())
        with storage("list messages"):
            rows = self._db.connection().execute(
                f"SELECT {_COLUMNS} FROM outbox {where} ORDER BY id DESC LIMIT ?",
                (*params, limit),
            )
            return self._messages(rows.fetchall())

    def get(self, message_id: int) -> OutboxMessage | None:
        with storage("read a message"):
            rows = self._db.connection().execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE id = ?",
                (message_id,),
            )
            messages = self._messages(rows.fetchall())
        return messages[0] if messages else None

    def image(self, message_id: int, cid: str) -> bytes | None:
        with storage("read an image"):
            row = (
                self._db.connection()
                .execute("SELECT data FROM outbox_images WHERE message_id = ? AND cid = ?", (message_id, cid))
                .fetchone()
            )
        return bytes(row[0]) if row else None

    def pending_emails(self, now: datetime, limit: int) -> builtins.list[PendingEmail]:
        """Emails never tried, and failed ones whose retry time has come, that no live claim holds; oldest
        first. A look only: a worker takes them with claim_emails."""
        with storage("find pending emails"):
            due = [row[0] for row in self._db.connection().execute(f"SELECT id {_DUE}", (*_due(now), limit))]
        return self._pending(due)

    def claim_emails(
        self, now: datetime, until: datetime, claimant: str, limit: int
    ) -> builtins.list[PendingEmail]:
        """Take the due emails for ``claimant`` until ``until``, in one statement: two workers never take the
        same email, and one whose worker died is due again when the claim lapses."""
        with storage("claim pending emails"):
            rows = self._db.connection().execute(
                "UPDATE outbox SET claimed_until = ?, claimed_by = ?"
                f" WHERE id IN (SELECT id {_DUE}) RETURNING id",
                (to_micros(until), claimant, *_due(now), limit),
            )
            claimed = sorted(row[0] for row in rows.fetchall())
        return self._pending(claimed)

    def _pending(self, ids: builtins.list[int]) -> builtins.list[PendingEmail]:
        pending = []
        for message in filter(None, (self.get(i) for i in ids)):
            images = tuple((cid, self.image(message.id, cid) or b"") for cid in message.image_cids)
            email = Email(message.recipient, message.subject, message.text, message.html, images)
            pending.append(PendingEmail(message.id, message.tries, email))
        return pending

    def mark_sent(self, message_id: int, claimant: str | None = None) -> bool:
        """Record a delivery; with ``claimant``, only while that worker still holds the claim (False if not:
        its claim lapsed and another worker may deliver the email again)."""
        with storage("mark a message sent"):
            cursor = self._db.connection().execute(
                "UPDATE outbox SET status = 'sent', error = NULL, tries = tries + 1, next_try_at = NULL,"
                " claimed_until = NULL, claimed_by = NULL WHERE id = ? AND (? IS NULL OR claimed_by = ?)",
                (message_id, claimant, claimant),
            )
        return cursor.rowcount == 1

    def mark_failed(
        self, message_id: int, error: str, retry_at: datetime | None = None, claimant: str | None = None
    ) -> None:
        """Record a failed try; ``retry_at`` keeps it out of pending_emails until then (None: due now)."""
        with storage("mark a message failed"):
            self._db.connection().execute(
                "UPDATE outbox SET status = 'failed', error = ?, tries = tries + 1, next_try_at = ?,"
                " claimed_until = NULL, claimed_by = NULL WHERE id = ? AND (? IS NULL OR claimed_by = ?)",
                (
                    error[:_MAX_ERROR],
                    to_micros(retry_at) if retry_at else None,
                    message_id,
                    claimant,
                    claimant,
                ),
            )

    def _messages(self, rows: builtins.list[Any]) -> builtins.list[OutboxMessage]:
        cids: dict[int, builtins.list[str]] = {row[0]: [] for row in rows}
        if cids:
            marks = ",".join("?" * len(cids))
            for message_id, cid in self._db.connection().execute(
                f"SELECT message_id, cid FROM outbox_images WHERE message_id IN ({marks}) ORDER BY rowid",
                list(cids),
            ):
                cids[message_id].append(cid)
        return [_message(row, tuple(cids[row[0]])) for row in rows]


def _message(row: Any, image_cids: tuple[str, ...]) -> OutboxMessage:
    id_, kind, recipient, subject, text, html, created_at, status, error, tries, key = row  # as in _COLUMNS
    return OutboxMessage(
        id_,
        kind,
        recipient,
        subject,
        text,
        html,
        from_micros(created_at),
        status,
        error,
        tries,
        image_cids,
        key,
    )
