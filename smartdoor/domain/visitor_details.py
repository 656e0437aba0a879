"""Rules for what a visitor tells us: a name and a phone number, checked for what the stores, the pages and an
SMS can carry."""

from __future__ import annotations

import re
import unicodedata

from smartdoor.domain.errors import InvalidInput

MAX_NAME_LENGTH = 80  # code points; at most 4 UTF-8 bytes each, far inside every store's and SMS's limits
_ZWNJ, _ZWJ = "\u200c", "\u200d"
_BLACK_FLAG = "\U0001f3f4"
_TAGS = range(0xE0020, 0xE0080)  # emoji tag characters: subdivision flags (England, Scotland, Wales)
# Characters a joiner may sit between: letters and marks (ZWNJ/ZWJ shape Persian, Kurdish, Indic words),
# symbols and emoji modifiers (ZWJ builds emoji sequences such as 👩‍🔬).
_JOINABLE = ("L", "M", "S")
_MAX_PHONE_INPUT = 40
_PHONE_CHARACTERS = re.compile(r"\+[0-9\s().\-/]*")
_PHONE_HINT = "e.g. +1 206 555 0100 or +44 20 7946 0958"


def _category(ch: str) -> str:
    return unicodedata.category(ch)


def _allowed_format_character(name: str, i: int) -> bool:
    """Format characters (Cf) are invisible and can spoof a name, but a few are part of how it is written."""
    ch = name[i]
    before = name[i - 1] if i > 0 else ""
    after = name[i + 1] if i + 1 < len(name) else ""
    if ch in (_ZWJ, _ZWNJ):
        return bool(before and after) and all(_category(c).startswith(_JOINABLE) for c in (before, after))
    if ord(ch) in _TAGS:
        return before == _BLACK_FLAG or (bool(before) and ord(before) in _TAGS)
    return False


def _name_problem(name: str) -> str | None:
    for i, ch in enumerate(name):
        category = _category(ch)
        if category == "Cs":
            return "The name has a broken character (a lone surrogate) that cannot be stored or sent."
        if category == "Co":
            return "The name has a private-use character that phones and browsers cannot show."
        if category == "Cn":
            return "The name has a character that is not assigned in Unicode."
        if category in ("Cc", "Zl", "Zp") or (category == "Cf" and not _allowed_format_character(name, i)):
            return "The name has control or format characters (tabs, line breaks, direction marks)."
    if not any(_category(ch).startswith(("L", "N", "S")) for ch in name):
        return "The name needs letters (or digits or symbols), not only punctuation or marks."
    if _category(name[0]).startswith("M"):
        return "The name cannot start with a combining mark."
    return None


def clean_name(raw: str) -> str:
    """NFC, trimmed, at most MAX_NAME_LENGTH code points, and only characters every store, page and SMS
    carries. Markup is fine: it is escaped wherever it is shown."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise InvalidInput("name", "Enter the visitor's name.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput("name", f"The name is too long: at most {MAX_NAME_LENGTH} characters.")
    problem = _name_problem(name)
    if problem is not None:
        raise InvalidInput("name", problem)
    return name


def clean_phone_number(raw: str) -> str:
    """A number valid for its country, in international format (+, country code, number; spaces, dashes,
    dots and brackets allowed); returned as E.164 (+12065550100), which is what an SMS is sent to."""
    text = raw.strip()
    if not text.startswith("+"):
        raise InvalidInput(
            "phoneNumber",
            "Enter the number in international format: start with + and the country code "
            f"(+1 for the US, +44 for the UK), {_PHONE_HINT}.",
        )
    # Letters are refused before libphonenumber sees them: it would read 555 CALL as 555 2255, and take
    # "ext" for an extension, which an SMS cannot reach.
    if len(text) > _MAX_PHONE_INPUT or not _PHONE_CHARACTERS.fullmatch(text):
        raise InvalidInput(
            "phoneNumber",
            f"Use only digits, spaces and dashes after the +, in international format, {_PHONE_HINT}.",
        )
    # Imported here, not at the top: libphonenumber's tables take ~40 ms to load, which every Lambda cold
    # start would pay, while only a registration or a visitor's page ever reads a number.
    import phonenumbers

    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(
            "phoneNumber", f"{text} is not a phone number in international format, {_PHONE_HINT}."
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            "phoneNumber",
            f"{text} is not a valid number: check the country code and the count of digits "
            f"(international format, {_PHONE_HINT}).",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def dialled_as(e164: str) -> str:
    """The stored number grouped as people read it (+44 20 7946 0958): what the owner checks before an SMS."""
    import phonenumbers  # see clean_phone_number: loaded on first use

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
