"""The AWS tier's moto server lives in tests/integration/moto_fixtures.py (the contract suites use it too)."""

from tests.integration.moto_fixtures import REGION, Aws

__all__ = ["REGION", "Aws"]
