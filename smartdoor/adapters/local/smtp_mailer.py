"""SMTP delivery for the local outbox: settings from one URL and the send itself (the MIME message is
smartdoor/adapters/mime.py's, the one SES sends too)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from smartdoor.domain.errors import StorageUnavailable

Security = Literal["none", "starttls", "tls"]
_TRUE, _FALSE = frozenset({"true", "1", "yes", "on"}), frozenset({"false", "0", "no", "off"})
_FORMS = "smtp://[user[:password]@]host[:port][?starttls=true] or smtps://[user[:password]@]host[:port]"


@dataclass(frozen=True, repr=False)
class SmtpSettings:
    """Where and how to reach the SMTP server. Its repr never shows the password."""

    host: str
    port: int
    security: Security = "none"
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        # Error messages never quote the URL: it may carry the password.
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP URL: scheme must be smtp or smtps, not {parts.scheme!r}; use {_FORMS}")
        if not parts.hostname:
            raise ValueError(f"SMTP URL: the host is missing; use {_FORMS}")
        if parts.path not in ("", "/") or parts.fragment:
            raise ValueError(f"SMTP URL: a path or fragment has no meaning here; use {_FORMS}")
        starttls = _starttls(parts.query)
        if starttls and parts.scheme == "smtps":
            raise ValueError("SMTP URL: smtps:// is already TLS; starttls applies to smtp:// only")
        try:
            port = parts.port
        except ValueError:
            port = 0
        if port == 0:  # urlsplit's own message would be less clear, and ":0" means nothing here
            raise ValueError("SMTP URL: the port must be a number from 1 to 65535")
        security: Security = "tls" if parts.scheme == "smtps" else "starttls" if starttls else "none"
        default_port = {"tls": 465, "starttls": 587, "none": 25}[security]
        return cls(
            host=parts.hostname,
            port=port or default_port,
            security=security,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
        )

    def __repr__(self) -> str:
        password = "***" if self.password else None
        return (
            f"SmtpSettings(host={self.host!r}, port={self.port}, security={self.security!r}, "
            f"user={self.user!r}, password={password!r})"
        )


def _starttls(query: str) -> bool:
    params = parse_qs(query, keep_blank_values=True)
    unknown = set(params) - {"starttls"}
    if unknown:
        raise ValueError(
            f"SMTP URL: unknown parameter(s) {sorted(unknown)}; only starttls=true|false is known"
        )
    value = params.get("starttls", ["false"])[-1].lower()
    if value not in _TRUE | _FALSE:
        raise ValueError(f"SMTP URL: starttls must be true or false, not {value!r}")
    return value in _TRUE


class SmtpDelivery:
    """Hands one message to the SMTP server; any failure becomes StorageUnavailable (retry later)."""

    def __init__(
        self,
        settings: SmtpSettings,
        sender: str,
        timeout: float = 10.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._settings = settings
        self._sender = sender
        self._timeout = timeout
        self._tls = tls_context or ssl.create_default_context()

    def deliver(self, message: EmailMessage) -> None:
        s = self._settings
        try:
            with self._connect() as smtp:
                if s.security == "starttls":
                    smtp.starttls(context=self._tls)
                if s.user:
                    smtp.login(s.user, s.password or "")
                smtp.send_message(message, from_addr=self._sender)
        except (smtplib.SMTPException, OSError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            if s.password:  # servers do not echo it, but an error text must never carry it
                reason = reason.replace(s.password, "***")
            raise StorageUnavailable(f"SMTP delivery via {s.host}:{s.port} failed: {reason}") from exc

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        if s.security == "tls":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=self._timeout, context=self._tls)
        return smtplib.SMTP(s.host, s.port, timeout=self._timeout)
