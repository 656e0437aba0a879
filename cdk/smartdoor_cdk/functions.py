"""One way to make the door's Lambda functions: runtime, architecture and code from lambda_assets."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from smartdoor_cdk import lambda_assets

_RUNTIMES = {"3.11": lambda_.Runtime.PYTHON_3_11, "3.12": lambda_.Runtime.PYTHON_3_12}
_ARCHITECTURES = {"x86_64": lambda_.Architecture.X86_64, "arm64": lambda_.Architecture.ARM_64}
# The build decides these: its binary wheels are for one Python and one architecture.
RUNTIME = _RUNTIMES[lambda_assets.LAMBDA_PYTHON]
ARCHITECTURE = _ARCHITECTURES[lambda_assets.ARCHITECTURE]


def door_function(
    scope: Construct,
    id: str,
    *,
    package: str,
    handler: str,
    environment: Mapping[str, str],
    description: str,
    timeout: Duration,
    memory_mb: int = 512,
) -> lambda_.Function:
    """A function running ``handler`` from the asset of ``package``, with its own log group (kept 30 days)."""
    log_group = logs.LogGroup(scope, f"{id}Logs", retention=logs.RetentionDays.ONE_MONTH)
    return lambda_.Function(
        scope,
        id,
        description=description,
        runtime=RUNTIME,
        architecture=ARCHITECTURE,
        handler=handler,
        code=lambda_.Code.from_asset(str(lambda_assets.lambda_asset(package))),
        environment=dict(environment),
        timeout=timeout,
        memory_size=memory_mb,
        tracing=lambda_.Tracing.ACTIVE,
        log_group=log_group,
    )
