"""JSON from outside the door (request bodies, query parameters, websocket messages, records), decoded with
bounds: every edge uses this one decoder, so none of them meets a RecursionError, a ValueError from a
4,300-digit integer, or a string that cannot be written back as UTF-8.

Anything refused raises BadJson with a reason the sender can act on.
"""

from __future__ import annotations

import json
import math
import operator
import re
from itertools import accumulate, count
from typing import Any

from smartdoor.domain.errors import BadJson

MAX_DEPTH = 32  # our deepest real document (a face record) nests 6 levels
MAX_INTEGER_DIGITS = 40  # far beyond 64-bit ids and timestamps; Python's own limit is 4,300

_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')  # once escapes are gone, a string is anything between two quotes
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# An opener counts 2 and a closer 0: after n brackets the running sum less n is the nesting depth there.
_STEPS = str.maketrans({"[": "\x02", "{": "\x02", "]": "\x00", "}": "\x00"})


def _deepest(text: str) -> int:
    """The deepest nesting of brackets outside strings, found without recursion and in linear time.

    Exact for valid JSON; for invalid JSON it may be off, but json.loads then refuses the text anyway."""
    # Drop escapes first, so an escaped quote cannot end a string; then drop the strings.
    outside = _STRING.sub("", _ESCAPE.sub("", text))
    steps = _NOT_BRACKET.sub("", outside).translate(_STEPS).encode("ascii")
    return max(map(operator.sub, accumulate(steps), count(1)), default=0)


def _integer(digits: str) -> int:
    if len(digits) - digits.startswith("-") > MAX_INTEGER_DIGITS:
        raise BadJson(f"an integer has more than {MAX_INTEGER_DIGITS} digits")
    return int(digits)


def _float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise BadJson(f"a number is too large: {text:.40}")
    return number


def _constant(name: str) -> float:
    raise BadJson(f"{name} is not JSON")


def _check_strings(value: object) -> None:
    # A JSON escape can make a lone surrogate ("\ud800"): valid JSON, but no UTF-8 store, log or response
    # can hold it. Walked with a list, not recursion (the depth is bounded, the width is not).
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise BadJson("a string holds a lone surrogate escape (\\ud800-\\udfff)") from exc


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> object:
    """Decode UTF-8 JSON with bounded nesting, integers and numbers, and strings that are valid Unicode."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadJson(f"not UTF-8: byte {exc.start} is invalid") from exc
    else:
        text = data
    if _deepest(text) > max_depth:
        raise BadJson(f"nested deeper than {max_depth} levels")
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise BadJson(f"not JSON: {exc}") from exc
    _check_strings(value)
    return value


def loads_object(data: bytes | str, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """loads(), and the value must be a JSON object (what every body and record of ours is)."""
    value = loads(data, max_depth)
    if not isinstance(value, dict):
        raise BadJson(f"a JSON object is expected, not {_kind(value)}")
    return value


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "a number"
