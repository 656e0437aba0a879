"""cfn-lint finds no error in either template; cdk-nag stops a synth with an unacknowledged finding."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from smartdoor_cdk import nag
from tests.cdk.conftest import Synthesised, synthesise

pytestmark = pytest.mark.cdk

CFN_LINT = Path(sys.executable).parent / "cfn-lint"


def test_cfn_lint_finds_no_error(either: Synthesised) -> None:
    run = subprocess.run(
        [str(CFN_LINT), "--format", "json", str(either.path)], capture_output=True, text=True, timeout=300
    )
    findings = json.loads(run.stdout or "[]")
    errors = [f for f in findings if f["Level"] == "Error"]
    assert errors == []
    # cfn-lint's exit code is a bit mask; 2 is "errors found".
    assert run.returncode & 2 == 0, run.stderr


def test_every_acknowledgement_gives_its_reason() -> None:
    reasons = [*nag.BY_STACK.values(), nag.FUNCTION_WILDCARDS, nag.LAMBDA_LOGGING, nag.DEAD_LETTERS]
    reasons += [nag.INVOKE_VERSIONS, nag.CDK_HANDLERS, nag.APPSYNC_LOGGING, nag.SMS_ATTRIBUTES]
    assert all(len(reason) > 40 for reason in reasons)


def test_cdk_nag_fails_the_synth_without_the_acknowledgements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the same app with nothing acknowledged (the fixtures' synths pass with the acknowledgements)
    monkeypatch.setattr(nag, "acknowledge", lambda *args, **kwargs: None)
    # THEN cdk-nag's findings stop the synth, and its report names them
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synthesise(tmp_path, {})
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (plugin,) = report["pluginReports"]
    assert plugin["pluginName"] == "AwsSolutions"
    assert "AwsSolutions-IAM5[Resource::*]" in {v["ruleName"] for v in plugin["violations"]}
