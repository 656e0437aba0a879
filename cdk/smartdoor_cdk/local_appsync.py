"""A local AppSync from the synthesised template: the wiring read from CloudFormation, and the two processes
that serve it (the node simulator in cdk/local-appsync, and one long-lived resolvers worker).

What is tested locally is what deploys: every resolver, data source and mapping template comes from the
template's AWS::AppSync::* resources; only the schema is read from schema.graphql (unchanged), as the CDK app
does. The simulator enforces the auth mode per field but verifies no credential (a Cognito JWT is only
decoded, any SigV4 header passes as IAM): it is a protocol peer, not a security boundary.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from smartdoor_cdk.child_processes import die_with_parent, stop_child

ROOT = Path(__file__).resolve().parents[2]
SIMULATOR_DIR = ROOT / "cdk" / "local-appsync"
SCHEMA = ROOT / "schema.graphql"
READY_SECONDS = 30.0
STOP_SECONDS = 10.0


class WiringError(ValueError):
    """The template does not describe an API the local AppSync can serve."""


@dataclass(frozen=True)
class DataSource:
    name: str
    type: str  # AWS_LAMBDA or NONE


@dataclass(frozen=True)
class Resolver:
    type_name: str
    field_name: str
    data_source: str
    request: str
    response: str
    kind: str = "UNIT"


@dataclass(frozen=True)
class Wiring:
    default_auth: str
    additional_auth: tuple[str, ...]
    has_api_key: bool
    data_sources: tuple[DataSource, ...]
    resolvers: tuple[Resolver, ...]
    user_pool_id: str | None = None

    def resolver(self, type_name: str, field_name: str) -> Resolver:
        return next(r for r in self.resolvers if (r.type_name, r.field_name) == (type_name, field_name))

    def to_json(
        self,
        *,
        worker_url: str,
        api_key: str,
        host: str = "127.0.0.1",
        port: int = 0,
        schema: Path = SCHEMA,
    ) -> dict[str, Any]:
        """What cdk/local-appsync/server.js reads: every Lambda data source invokes the one worker."""
        return {
            "schemaPath": str(schema),
            "host": host,
            "port": port,
            "apiKey": api_key,
            "userPoolId": self.user_pool_id,
            "authentication": {"default": self.default_auth, "additional": list(self.additional_auth)},
            "dataSources": [
                {
                    "name": s.name,
                    "type": s.type,
                    **({"workerUrl": worker_url} if s.type == "AWS_LAMBDA" else {}),
                }
                for s in self.data_sources
            ],
            "resolvers": [
                {
                    "typeName": r.type_name,
                    "fieldName": r.field_name,
                    "dataSourceName": r.data_source,
                    "kind": r.kind,
                    "requestMappingTemplate": r.request,
                    "responseMappingTemplate": r.response,
                }
                for r in self.resolvers
            ],
        }


SERVED_DATA_SOURCES = frozenset({"AWS_LAMBDA", "NONE"})


def _of_type(template: Mapping[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = template.get("Resources", {})
    return {key: r.get("Properties", {}) for key, r in resources.items() if r.get("Type") == kind}


def _text(value: Any, what: str) -> str:
    # CDK writes the mapping templates and names as plain strings; anything else (an Fn::Sub, a Ref) would
    # need a deployment to resolve, which the local AppSync has not got.
    if not isinstance(value, str):
        raise WiringError(f"{what} must be a plain string in the template, not {value!r}")
    return value


def _data_source_name(value: Any, names: Mapping[str, str]) -> str:
    # CDK refers to the data source by attribute: {"Fn::GetAtt": ["<logical id>", "Name"]}.
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical, attribute = value["Fn::GetAtt"]
        if attribute != "Name" or logical not in names:
            raise WiringError(f"DataSourceName refers to no data source: {value!r}")
        return names[logical]
    return _text(value, "DataSourceName")


def wiring_from_template(template: Mapping[str, Any]) -> Wiring:
    """The API's auth modes, data sources and resolvers, as a synthesised CloudFormation template has them."""
    [api] = _of_type(template, "AWS::AppSync::GraphQLApi").values() or [None]
    if api is None:
        raise WiringError("the template has no AWS::AppSync::GraphQLApi")
    sources: dict[str, DataSource] = {}
    for logical, props in _of_type(template, "AWS::AppSync::DataSource").items():
        source = DataSource(_text(props.get("Name"), "DataSource Name"), _text(props.get("Type"), "Type"))
        if source.type not in SERVED_DATA_SOURCES:
            raise WiringError(
                f"data source {source.name} is {source.type}: only AWS_LAMBDA and NONE are served"
            )
        sources[logical] = source
    names = {logical: source.name for logical, source in sources.items()}
    resolvers = []
    for props in _of_type(template, "AWS::AppSync::Resolver").values():
        kind = props.get("Kind", "UNIT")
        if kind != "UNIT":
            raise WiringError(f"{props.get('TypeName')}.{props.get('FieldName')} is a {kind} resolver")
        resolvers.append(
            Resolver(
                type_name=_text(props.get("TypeName"), "TypeName"),
                field_name=_text(props.get("FieldName"), "FieldName"),
                data_source=_data_source_name(props.get("DataSourceName"), names),
                request=_text(props.get("RequestMappingTemplate"), "RequestMappingTemplate"),
                response=_text(props.get("ResponseMappingTemplate"), "ResponseMappingTemplate"),
                kind=kind,
            )
        )
    pool = api.get("UserPoolConfig", {}).get("UserPoolId")
    return Wiring(
        default_auth=_text(api.get("AuthenticationType"), "AuthenticationType"),
        additional_auth=tuple(
            _text(p.get("AuthenticationType"), "AuthenticationType")
            for p in api.get("AdditionalAuthenticationProviders", [])
        ),
        has_api_key=bool(_of_type(template, "AWS::AppSync::ApiKey")),
        data_sources=tuple(sources.values()),
        resolvers=tuple(sorted(resolvers, key=lambda r: (r.type_name, r.field_name))),
        user_pool_id=pool if isinstance(pool, str) else None,
    )


class ProcessFailed(RuntimeError):
    """A local AppSync process did not start, or ended while it was needed."""


def _ready_line(process: subprocess.Popen[bytes], what: str, log: Path, timeout: float) -> dict[str, Any]:
    """The JSON line a child prints when it listens, waited for at most ``timeout`` seconds."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    buffered = b""
    while b"\n" not in buffered:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ProcessFailed(f"{what} did not say it was ready within {timeout:g} s: {_tail(log)}")
        readable, _, _ = select.select([process.stdout], [], [], left)
        if readable:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                raise ProcessFailed(f"{what} ended (exit {process.wait()}): {_tail(log)}")
            buffered += chunk
    found: dict[str, Any] = json.loads(buffered.split(b"\n", 1)[0])
    return found


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


@dataclass
class LocalAppSync:
    """The simulator and the resolvers worker, started together and stopped together (also on errors).

    ``worker_env`` is the environment the resolvers Lambda would have (SMARTDOOR_* naming the tables, bucket
    and secret; AWS_ENDPOINT_URL pointing boto3 at the moto server). ``preload`` names modules the worker
    imports before it serves (a test's fault injection).
    """

    wiring: Wiring
    worker_env: Mapping[str, str]
    api_key: str = field(default_factory=lambda: "da2-" + secrets.token_hex(13))
    preload: tuple[str, ...] = ()
    schema: Path = SCHEMA  # another schema only for tests of the simulator itself
    node: str = "node"
    timeout: float = READY_SECONDS
    graphql_url: str = ""
    realtime_url: str = ""
    worker_url: str = ""
    worker_pid: int = 0
    port: int = 0
    _folder: tempfile.TemporaryDirectory[str] | None = None
    _worker: subprocess.Popen[bytes] | None = None
    _simulator: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LocalAppSync:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def folder(self) -> Path:
        assert self._folder is not None, "not started"
        return Path(self._folder.name)

    def start(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="local-appsync-")
        try:
            self._start_worker()
            self._start_simulator()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        stop_child(self._simulator, STOP_SECONDS)
        stop_child(self._worker, STOP_SECONDS)
        self._simulator = self._worker = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def restart_simulator(self) -> None:
        """Stop the simulator and start it again on the same port (its subscriptions are gone; the worker
        stays, as Lambda containers outlive an AppSync connection)."""
        stop_child(self._simulator, STOP_SECONDS)
        self._simulator = None
        try:
            self._start_simulator()
        except BaseException:
            self.stop()
            raise

    def simulator_alive(self) -> bool:
        return self._simulator is not None and self._simulator.poll() is None

    def _start_worker(self) -> None:
        log = self.folder / "worker.log"
        python_path = os.pathsep.join([str(ROOT), str(ROOT / "cdk")])
        env = {**self.worker_env, "PYTHONPATH": python_path, "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "smartdoor_cdk.resolver_worker"]
        for module in self.preload:
            command += ["--preload", module]
        with log.open("wb") as err:
            # The command is this interpreter and this package's module, never caller text.
            self._worker = subprocess.Popen(  # noqa: S603
                command, stdout=subprocess.PIPE, stderr=err, env=env, cwd=ROOT, preexec_fn=die_with_parent
            )
        ready = _ready_line(self._worker, "the resolvers worker", log, self.timeout)
        self.worker_url, self.worker_pid = ready["url"], ready["pid"]

    def _start_simulator(self) -> None:
        wiring_file = self.folder / "wiring.json"
        wiring = self.wiring.to_json(
            worker_url=self.worker_url, api_key=self.api_key, port=self.port, schema=self.schema
        )
        wiring_file.write_text(json.dumps(wiring))
        log = self.folder / "simulator.log"
        with log.open("ab") as err:
            self._simulator = subprocess.Popen(  # noqa: S603  # node and the server.js beside this repo
                [self.node, str(SIMULATOR_DIR / "server.js"), str(wiring_file)],
                stdout=subprocess.PIPE,
                stderr=err,
                cwd=SIMULATOR_DIR,
                preexec_fn=die_with_parent,
            )
        ready = _ready_line(self._simulator, "the AppSync simulator", log, self.timeout)
        self.port, self.graphql_url, self.realtime_url = ready["port"], ready["graphql"], ready["realtime"]

    def simulator_log(self) -> str:
        return _tail(self.folder / "simulator.log")


def installed() -> bool:
    """Whether scripts/setup installed the simulator's packages (it skips them without npm)."""
    return (SIMULATOR_DIR / "node_modules" / ".smartdoor-installed").exists()
