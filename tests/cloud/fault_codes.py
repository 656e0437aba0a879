"""The injected fault's values, apart from tests/cloud/faults.py: importing that module patches the use case,
which only the resolvers worker may do (a test process that imported it rate-limited 999999 in every tier)."""

RATE_LIMITED_CODE = "999999"
RETRY_AFTER = 42
