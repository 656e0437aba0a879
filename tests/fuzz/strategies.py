"""Hostile JSON for the fuzz tier: real documents and records with parts replaced by what breaks decoders.

Values are built as trees whose leaves may be Raw JSON text, so a body can carry what json.dumps would
never write: nesting 2,000 deep, 6,000-digit integers, 1e999, NaN, lone surrogate escapes, invalid UTF-8.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class Raw:
    """JSON text (or bytes that are not even UTF-8) spliced in as it is."""

    text: bytes


def _deep(depth: int, opener: str) -> Raw:
    closer = {"[": "]", '{"a":': "}"}[opener]
    return Raw(((opener * depth) + ("1" if opener != "[" else "") + (closer * depth)).encode())


# Each the kind of value that once turned a request into a 500 somewhere.
hostile: st.SearchStrategy[Raw] = st.one_of(
    # Sizes on either side of each bound: ours (32 levels, 40 digits) and Python's (~1,000, 4,300).
    st.builds(_deep, st.sampled_from([31, 40, 999, 1200, 5000]), st.sampled_from(["[", '{"a":'])),
    st.sampled_from([40, 41, 4300, 4301, 6000]).map(lambda n: Raw(b"9" * n)),
    st.sampled_from([Raw(b"1e999"), Raw(b"-1e400"), Raw(b"NaN"), Raw(b"Infinity"), Raw(b"-Infinity")]),
    st.integers(0xD800, 0xDFFF).map(lambda c: Raw(f'"x\\u{c:04x}y"'.encode())),
    st.binary(min_size=1, max_size=8).map(lambda b: Raw(b'"' + b.replace(b'"', b"") + b'\xff"')),
    st.sampled_from([Raw(b"1e308"), Raw(b"-1e308"), Raw(b"5e-324"), Raw(b"-0.0"), Raw(b"1" * 40)]),
)

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), min_size=200, max_size=400),
)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(leaves, hostile),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def encode(value: Any) -> bytes:
    """Like json.dumps, but Raw leaves go in verbatim."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        items = (json.dumps(str(k)).encode() + b":" + encode(v) for k, v in value.items())
        return b"{" + b",".join(items) + b"}"
    if isinstance(value, list | tuple):
        return b"[" + b",".join(encode(v) for v in value) + b"]"
    return json.dumps(value).encode()


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value that a mutation may replace, the whole value last."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(paths(child, (*prefix, index)))
    return found


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], tuple(rest), new)}
    copy = list(value)
    copy[head] = replaced(copy[head], tuple(rest), new)
    return copy


def deleted(value: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return value
    *parents, last = path
    if len(parents) == 0:
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if k != last}
        return [v for i, v in enumerate(value) if i != last]
    head = parents[0]
    if isinstance(value, dict):
        return {**value, head: deleted(value[head], (*parents[1:], last))}
    copy = list(value)
    copy[head] = deleted(copy[head], (*parents[1:], last))
    return copy


@st.composite
def mutated(draw: st.DrawFn, original: Any, max_mutations: int = 3) -> Any:
    """The original with up to max_mutations places replaced, deleted, or wrapped in something hostile."""
    value = original
    for _ in range(draw(st.integers(1, max_mutations))):
        # Deepest places first: hypothesis shrinks towards the start, i.e. towards the smallest change.
        places = sorted(paths(value), key=len, reverse=True)
        path = places[draw(st.integers(0, len(places) - 1))]
        action = draw(st.sampled_from(["replace", "replace", "delete", "extra"]))
        if action == "replace":
            value = replaced(value, path, draw(json_values))
        elif action == "delete":
            value = deleted(value, path)
        else:
            value = replaced(value, path, [draw(json_values), _at(value, path)])
    return value


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


garbage_bytes = st.one_of(
    st.binary(max_size=300),
    st.builds(_deep, st.sampled_from([33, 1200, 20000]), st.sampled_from(["[", '{"a":'])).map(
        lambda r: r.text
    ),
    hostile.map(lambda r: r.text),
    st.sampled_from([b"", b"null", b"[]", b"3", b'"text"', b"true", b"{", b"\xef\xbb\xbf{}"]),
)
