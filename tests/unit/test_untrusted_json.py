"""The one decoder for JSON from outside: bounded, and every refusal says why."""

from __future__ import annotations

import pytest

from smartdoor.domain.errors import BadJson
from smartdoor.domain.untrusted_json import MAX_DEPTH, loads, loads_object

pytestmark = pytest.mark.unit


def test_ordinary_json_decodes_as_the_standard_library_would() -> None:
    assert loads(b'{"a": [1, -2, 3.5, "x\\u00e9", true, null], "b": {}}') == {
        "a": [1, -2, 3.5, "xé", True, None],
        "b": {},
    }
    assert loads("[]") == []
    assert loads_object('{"emoji": "\\ud83d\\ude00"}') == {"emoji": "\U0001f600"}  # a proper pair


def test_nesting_up_to_the_bound_is_fine_and_beyond_it_is_refused() -> None:
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(BadJson, match=f"nested deeper than {MAX_DEPTH} levels"):
        loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    # Far past the interpreter's recursion limit: refused before parsing, not a RecursionError.
    with pytest.raises(BadJson, match="nested deeper"):
        loads(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
    with pytest.raises(BadJson, match="nested deeper"):
        loads("[" * 100_000)  # unclosed too


def test_brackets_inside_strings_do_not_count() -> None:
    text = '{"a": "' + "[" * 100 + '", "b": "\\"' + "{" * 100 + '", "c": "\\\\"}'
    assert loads(text) == {"a": "[" * 100, "b": '"' + "{" * 100, "c": "\\"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"a": "\xff"}', "not UTF-8: byte 7"),
        (b"\xed\xa0\x80", "not UTF-8"),  # a surrogate encoded as UTF-8 is not UTF-8 either
        (b"1" * 41, "more than 40 digits"),
        (b"[-" + b"9" * 5000 + b"]", "more than 40 digits"),
        (b"1e400", "too large"),
        (b"[-1e999]", "too large"),
        (b"NaN", "NaN is not JSON"),
        (b'{"a": -Infinity}', "-Infinity is not JSON"),
        (b'"\\ud800"', "lone surrogate"),
        (b'{"\\udfff": 1}', "lone surrogate"),
        (b'[["ok", {"deep": "\\udc00x"}]]', "lone surrogate"),
        (b"{not json", "not JSON: Expecting property name"),
        (b"", "not JSON"),
        (b"\xef\xbb\xbf{}", "not JSON"),  # a byte-order mark
    ],
)
def test_refusals_say_why(data: bytes, reason: str) -> None:
    with pytest.raises(BadJson, match=reason.replace("(", r"\(")):
        loads(data)


def test_forty_digits_are_still_an_integer() -> None:
    assert loads("-" + "9" * 40) == -int("9" * 40)


@pytest.mark.parametrize(
    ("data", "kind"), [(b"[]", "an array"), (b"null", "null"), (b'"x"', "a string"), (b"3", "a number")]
)
def test_an_object_is_required_where_one_is_expected(data: bytes, kind: str) -> None:
    with pytest.raises(BadJson, match=f"a JSON object is expected, not {kind}"):
        loads_object(data)
