"""CDK tier (no Docker, no credentials). The CDK app is synthesised once per analysis mode per session,
with cdk-nag on (as `cdk synth` runs it).

``app.synth()`` raises when cdk-nag reports a finding that is not acknowledged, so every test that takes a
template has also seen the nag check pass for that mode.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk
from aws_cdk.assertions import Template

REPO = Path(__file__).resolve().parents[2]
APP_DIR = REPO / "cdk"
STACK = "SmartDoor"


@dataclass(frozen=True)
class Synthesised:
    """One synthesised stack: its template (as data and for assertions) and where it was written."""

    template: Template
    json: dict[str, Any]
    path: Path

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == kind}

    def logical_id(self, kind: str, prefix: str) -> str:
        """The one resource of ``kind`` whose logical id starts with ``prefix`` (a construct path)."""
        found = [k for k in self.resources(kind) if k.startswith(prefix)]
        assert len(found) == 1, (kind, prefix, found)
        return found[0]


def synthesise(outdir: Path, context: dict[str, Any]) -> Synthesised:
    import app as entry  # cdk/app.py: on the test path through pyproject's pythonpath

    application = cdk.App(outdir=str(outdir), context=context)
    entry.build(application)
    assembly = application.synth()
    stack = assembly.get_stack_by_name(STACK)
    template_path = Path(assembly.directory) / stack.template_file
    data = json.loads(template_path.read_text())
    return Synthesised(Template.from_json(data), data, template_path)


@pytest.fixture(scope="session")
def frames(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    return synthesise(tmp_path_factory.mktemp("cdk-frames"), {})


@pytest.fixture(scope="session")
def stream_processor(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    return synthesise(tmp_path_factory.mktemp("cdk-stream"), {"analysis": "stream-processor"})


@pytest.fixture(scope="session", params=["frames", "stream-processor"])
def either(request: pytest.FixtureRequest) -> Synthesised:
    fixture = "frames" if request.param == "frames" else "stream_processor"
    synthesised: Synthesised = request.getfixturevalue(fixture)
    return synthesised
