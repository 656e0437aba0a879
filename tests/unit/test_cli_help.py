"""The `smartdoor` command's help says what each command takes."""

from __future__ import annotations

import argparse

from smartdoor.server.cli import parser


def _command(name: str) -> argparse.ArgumentParser:
    subparsers = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    command = subparsers.choices[name]
    assert isinstance(command, argparse.ArgumentParser)
    return command


def test_replay_help_names_every_file_shape_it_reads() -> None:
    # replay.records_in reads a record, a list of records, or a Lambda Kinesis event.
    events = next(a for a in _command("replay")._actions if a.dest == "events")
    assert events.help is not None
    assert "a list of records" in events.help
    assert "Kinesis event" in events.help
