"""What a visitor's name and phone number may be: what the stores, the pages and an SMS can carry."""

from __future__ import annotations

import pytest

from smartdoor.domain.errors import InvalidInput
from smartdoor.domain.visitor_details import clean_name, clean_phone_number, dialled_as

pytestmark = pytest.mark.unit

_PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # Persian "I want", with a ZWNJ


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Ada Lovelace ", "Ada Lovelace"),
        ("Zoe\u0301", "Zoé"),  # NFC: e + combining acute becomes one é, as the stores compare it
        ("李小龍", "李小龍"),
        ("O'Brien-Smith", "O'Brien-Smith"),
        ("Grace 🙂", "Grace 🙂"),
        ("👩\u200d🔬 Marie", "👩\u200d🔬 Marie"),  # ZWJ inside an emoji sequence
        (_PERSIAN, _PERSIAN),  # ZWNJ between Persian letters
        ("Flag 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", None),  # emoji tag sequence
        ("x" * 80, "x" * 80),
        ("🙂" * 80, "🙂" * 80),
    ],
)
def test_names_that_are_kept(raw: str, clean: str | None) -> None:
    assert clean_name(raw) == (clean if clean is not None else raw)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "Enter the visitor's name"),
        (" \t\u3000 ", "Enter the visitor's name"),
        ("x" * 81, "too long: at most 80"),
        ("Ada\ud800", "cannot be stored"),  # a lone surrogate: no store, page or SMS can carry it
        ("Ada\U000f0000", "private-use"),
        ("Ada\U000e0000", "not assigned"),  # an unassigned code point (Cn)
        ("Ada\u0378", "not assigned"),
        ("Ada\x00", "control or format"),
        ("Ada\tLovelace", "control or format"),
        ("Ada\u202eecalevoL", "control or format"),  # right-to-left override: a spoofing tool
        ("Ada\u2028Lovelace", "control or format"),  # line separator
        ("Ada\u2029Lovelace", "control or format"),  # paragraph separator
        ("\u200dAda", "control or format"),  # a joiner at the edge joins nothing
        ("Ada \u200d Lovelace", "control or format"),
        ("Ada\ufeff", "control or format"),
        ("\u0301\u0302", "letters"),
        ("...", "letters"),
        ("- ' -", "letters"),
        ("\u0301Ada", "cannot start with a combining mark"),
    ],
)
def test_names_that_are_refused(raw: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why) as caught:
        clean_name(raw)
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+12065550100", "+12065550100"),
        ("+1 206 555 0100", "+12065550100"),
        ("+1 (206) 555-0100", "+12065550100"),
        ("+1.206.555.0100", "+12065550100"),
        ("+44 (20) 7946-0958", "+442079460958"),
        (" +33 6 12 34 56 78 ", "+33612345678"),
        ("+46 8 123 456 78", "+46812345678"),
    ],
)
def test_phone_numbers_become_e164(raw: str, e164: str) -> None:
    assert clean_phone_number(raw) == e164


@pytest.mark.parametrize(
    "raw",
    [
        "+1 206 555 01",  # a digit short: a regex took it and texted +120655501
        "+99912345678",  # no such country code
        "+10000000000",  # no such area code
        "+15555550100",
        "+1 206 555 0100 12345",
        "+0 206 555 0100",
        "++12065550100",
        "+1 206 555 CALL",  # a vanity number: libphonenumber would turn letters into digits
        "+1 206 555 0100 ext 5",  # an extension cannot receive an SMS
        "2065550100",  # no country code
        "+1 206",
        "",
        "+" + "1" * 300,
    ],
)
def test_phone_numbers_that_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_phone_number(raw)
    assert caught.value.field == "phoneNumber"


def test_the_message_says_what_to_fix() -> None:
    with pytest.raises(InvalidInput, match=r"\+1 206 555 01 is not a valid number"):
        clean_phone_number("+1 206 555 01")
    with pytest.raises(InvalidInput, match="international format: start with \\+ and the country code"):
        clean_phone_number("206 555 0100")


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+12065550100", "+1 206-555-0100"),
        ("+442079460958", "+44 20 7946 0958"),
        ("+33612345678", "+33 6 12 34 56 78"),
        ("not a number", "not a number"),  # a row from before the rules: shown as stored
    ],
)
def test_the_number_is_shown_as_it_will_be_dialled(e164: str, shown: str) -> None:
    assert dialled_as(e164) == shown
