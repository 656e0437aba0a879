"""The app's parameters, read from CDK context (``cdk deploy -c name=value``), each with a documented default.

The README's deployment guide lists the same names; ``DEFAULTS`` is the one place their defaults live.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from constructs import Construct

from smartdoor.config import Settings

Analysis = Literal["frames", "stream-processor"]
ANALYSES: tuple[Analysis, ...] = ("frames", "stream-processor")

DEFAULTS: dict[str, str] = {
    "owner_email": "owner@example.com",  # where new-visitor emails go (an SES identity in the sandbox)
    "sender": "door@example.com",  # the From address: an SES email identity the stack creates
    "region": "eu-west-1",  # used when neither context nor CDK_DEFAULT_REGION names one
    "analysis": "frames",  # or stream-processor, for accounts that still have Rekognition streaming video
    "purge_days": "30",  # unregistered sightings' snapshots are deleted after this many days
    "frame_purge_days": "1",  # uploaded door frames are only analysed once: kept a day for debugging
    "waf_rate_limit": "500",  # requests per 5 minutes per client address before WAF blocks it
    # SNS's MonthlySpendLimit for SMS, whole USD: AWS's limit for a new account (a larger value fails the
    # deploy until a support case raises the account's quota)
    "sms_spend_limit_usd": "1",
    "owner_group": Settings.owner_group,  # the Cognito group whose members are the owner
    "collection": Settings.rekognition_collection,  # the Rekognition collection's id
}


@dataclass(frozen=True)
class Parameters:
    owner_email: str
    sender: str
    region: str
    analysis: Analysis
    purge_days: int
    frame_purge_days: int
    waf_rate_limit: int
    sms_spend_limit_usd: int
    owner_group: str
    collection: str

    @classmethod
    def from_context(cls, scope: Construct, default_region: str | None = None) -> Parameters:
        """Every parameter from context, else its default; a bad value is refused here, before synthesis."""

        def value(name: str) -> str:
            given = scope.node.try_get_context(name)
            if given is None and name == "region" and default_region:
                return default_region
            return str(given if given is not None else DEFAULTS[name])

        analysis = value("analysis")
        if analysis not in ANALYSES:
            raise ValueError(f"context analysis={analysis!r}: must be one of {', '.join(ANALYSES)}")
        return cls(
            owner_email=value("owner_email"),
            sender=value("sender"),
            region=value("region"),
            analysis=analysis,
            purge_days=_at_least(1, "purge_days", value("purge_days")),
            frame_purge_days=_at_least(1, "frame_purge_days", value("frame_purge_days")),
            # WAF's own bounds for a rate-based rule's limit.
            waf_rate_limit=_at_least(10, "waf_rate_limit", value("waf_rate_limit")),
            sms_spend_limit_usd=_at_least(1, "sms_spend_limit_usd", value("sms_spend_limit_usd")),
            owner_group=value("owner_group"),
            collection=value("collection"),
        )


def _at_least(low: int, name: str, text: str) -> int:
    number = int(text)
    if number < low:
        raise ValueError(f"context {name}={text!r}: must be a whole number of at least {low}")
    return number
