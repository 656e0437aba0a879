"""The AWS tier's moto server lives one level up (tests/integration/moto_fixtures.py), so the contract
suites of the integration tier can run the DynamoDB adapters against it too."""

from __future__ import annotations

from tests.integration.moto_fixtures import REGION, Aws

__all__ = ["REGION", "Aws"]
