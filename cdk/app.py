"""The CDK app: `cdk synth` / `cdk deploy` from cdk/ run this (see cdk.json); parameters come from context."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The door's code (smartdoor/) sits beside cdk/: the app reads its table definitions and settings names.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from smartdoor_cdk.parameters import Parameters  # noqa: E402
from smartdoor_cdk.stack import SmartDoorStack  # noqa: E402


def build(app: cdk.App) -> SmartDoorStack:
    parameters = Parameters.from_context(app, os.environ.get("CDK_DEFAULT_REGION"))
    stack = SmartDoorStack(
        app,
        str(app.node.try_get_context("stack_name") or "SmartDoor"),
        parameters=parameters,
        env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=parameters.region),
        description="Smart Door: visitor authentication at the door",
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stack


if __name__ == "__main__":
    application = cdk.App()
    build(application)
    application.synth()
