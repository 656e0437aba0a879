"""The cloud build's template cache key: the same inputs, the same key; an input or the context changed,
another."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from smartdoor_cdk.offline.synth import INPUT_FILES, INPUTS, inputs_hash, prune

pytestmark = pytest.mark.integration  # files


def a_repo(root: Path) -> Path:
    for name in INPUT_FILES:
        (root / name).write_text(f"{name}\n")
    for folder in INPUTS:
        path = root / folder
        if path.suffix == ".py":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("app = 1\n")
        else:
            path.mkdir(parents=True, exist_ok=True)
            (path / "module.py").write_text("x = 1\n")
    return root


def test_the_same_inputs_give_the_same_key_and_any_change_another(tmp_path: Path) -> None:
    root = a_repo(tmp_path)
    context = {"analysis": "stream-processor"}
    key = inputs_hash(context, root)
    assert inputs_hash(dict(context), root) == key
    assert inputs_hash({"analysis": "frames"}, root) != key
    (root / "resolvers" / "module.py").write_text("x = 2\n")
    changed = inputs_hash(context, root)
    assert changed != key
    (root / "schema.graphql").write_text("type Query { a: Int }\n")
    assert inputs_hash(context, root) != changed


def test_installed_packages_and_bytecode_do_not_change_the_key(tmp_path: Path) -> None:
    root = a_repo(tmp_path)
    key = inputs_hash({}, root)
    (root / "cdk/smartdoor_cdk/__pycache__").mkdir()
    (root / "cdk/smartdoor_cdk/__pycache__/module.cpython-311.pyc").write_bytes(b"\0")
    (root / "frontend/node_modules").mkdir()
    (root / "frontend/node_modules/lib.js").write_text("1")
    assert inputs_hash({}, root) == key


def test_only_the_newest_templates_are_kept(tmp_path: Path) -> None:
    folders = [tmp_path / f"cdk.out-{n}" for n in range(4)]
    for age, folder in enumerate(folders):
        folder.mkdir()
        os.utime(folder, (1_000_000 - age, 1_000_000 - age))  # cdk.out-0 newest ... cdk.out-3 oldest
    (tmp_path / "other").mkdir()
    prune(tmp_path, keep=folders[3], kept=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdk.out-0", "cdk.out-3", "other"]
