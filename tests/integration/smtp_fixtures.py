"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) and the small helpers around it.

Plain helpers rather than fixtures: each test module wraps them in its own fixtures, so no conftest is shared.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    """A port nothing listens on right now (the OS picked it), for a server started later or never."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None


@dataclass
class Collector:
    """An aiosmtpd handler that keeps every message it accepts."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        assert isinstance(message, EmailMessage)
        login = session.auth_data.decode() if session.authenticated else None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, login))
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class Accounts:
    """An aiosmtpd authenticator with one account."""

    user: str
    password: str

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> AuthResult:
        ok = isinstance(auth, LoginPassword) and (auth.login, auth.password) == (
            self.user.encode(),
            self.password.encode(),
        )
        # handled=False: aiosmtpd answers a refusal with 535 itself (else the client waits for a reply).
        return AuthResult(success=ok, handled=False, auth_data=auth.login if ok else None)


def tls_contexts(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: the server's context and a client context that trusts it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    return server, ssl.create_default_context(cafile=str(cert_file))


@contextmanager
def smtp_server(
    port: int,
    accounts: Accounts | None = None,
    tls: ssl.SSLContext | None = None,
    implicit_tls: bool = False,
) -> Iterator[Collector]:
    """Run aiosmtpd on 127.0.0.1:port: plain, with STARTTLS (``tls``), or TLS from the start (implicit_tls).

    With ``accounts`` it offers AUTH; without ``tls`` over plain TCP, which is fine on loopback in a test.
    auth_required stays off (aiosmtpd warns on it without TLS); the handler records who logged in instead.
    """
    collector = Collector()
    options: dict[str, Any] = {}
    if accounts is not None:
        # With implicit TLS aiosmtpd does not see the TLS layer, so it must not insist on STARTTLS first.
        options.update(authenticator=accounts, auth_require_tls=tls is not None and not implicit_tls)
    if tls is not None and implicit_tls:
        options.update(ssl_context=tls)
    elif tls is not None:
        options.update(tls_context=tls, require_starttls=True)
    controller = Controller(collector, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield collector
    finally:
        controller.stop()
