"""The Mailer port on SES (v2): one raw MIME message, so the photo travels inline as a cid: part."""

from __future__ import annotations

from email.policy import SMTP
from typing import TYPE_CHECKING

from smartdoor.adapters.aws.errors import aws_errors
from smartdoor.adapters.mime import build_mime
from smartdoor.domain.model import Email
from smartdoor.ports import Clock

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sesv2.type_defs import SendEmailRequestTypeDef


class SesMailer:
    """Sends from a verified SES identity. ``configuration_set`` names SES's event publishing (bounces,
    complaints), when the deployment has one."""

    def __init__(
        self, client: SESV2Client, sender: str, clock: Clock, configuration_set: str | None = None
    ) -> None:
        self._client = client
        self._sender = sender
        self._clock = clock
        self._configuration_set = configuration_set

    def send(self, email: Email) -> None:
        # CRLF line ends, as RFC 5322 wants them on the wire (the default policy writes bare LF).
        raw = build_mime(email, self._sender, self._clock.now()).as_bytes(policy=SMTP)
        request: SendEmailRequestTypeDef = {
            "FromEmailAddress": self._sender,
            "Destination": {"ToAddresses": [email.to]},
            "Content": {"Raw": {"Data": raw}},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        with aws_errors(f"send email to {email.to}", invalid_field="email"):
            self._client.send_email(**request)
