"""CDK tier: template assertions on constructs synthesised offline (no Docker, no credentials)."""

from __future__ import annotations

import os

# jsii starts its node process on the first import of aws_cdk and warns about node 20 unless told.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
