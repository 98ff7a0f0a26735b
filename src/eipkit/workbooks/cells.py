"""One workbook cell to one typed value, or a reason a person can act on.

Cells arrive as openpyxl gives them (str, int, float, bool, datetime, None) or as CSV text; every parser accepts
any of these and raises CellError, never anything else.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from eipkit import contract, reference, units
from eipkit.errors import BadInput
from eipkit.i18n import Message

MIN_YEAR = 1980
MIN_FOUNDING_YEAR = 1900
MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 500
MAX_UNIT_LENGTH = 40
MAX_COUNT = 2**31 - 1

_YES = {"yes", "y", "true", "1", "có", "co", "x"}
_NO = {"no", "n", "false", "0", "không", "khong"}
_WASTE_CODE = re.compile(r"^(\d{2})\s?(\d{2})\s?(\d{2})$")
_VSIC = re.compile(r"^\d{2,5}$")


class CellError(BadInput):
    """A cell's value does not fit its column."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value.__class__ is str:
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, bool):
        raise CellError("err.text_bool")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float | str):
        return unicodedata.normalize("NFC", str(value)).strip()
    raise CellError("err.text_type", type=type(value).__name__)


def parse_text(value: Any) -> str:
    text = _text(value)
    if len(text) > MAX_TEXT_LENGTH:
        raise CellError("err.text_long", limit=MAX_TEXT_LENGTH)
    return text


def parse_id(value: Any) -> str:
    text = _text(value)
    if len(text) > MAX_ID_LENGTH:
        raise CellError("err.id_long", limit=MAX_ID_LENGTH)
    if ";" in text or any(ch in text for ch in "\r\n\t"):
        raise CellError("err.id_chars")
    return text


def parse_number(value: Any) -> float:
    """A non-negative finite number; text must be plain digits with a '.' decimal point."""
    if isinstance(value, bool):
        raise CellError("err.number_bool")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "").replace("\u00a0", "")
        if "," in text:
            raise CellError("err.number_separator", value=value)
        try:
            number = float(text)
        except ValueError:
            raise CellError("err.number", value=value) from None
    else:
        raise CellError("err.number_type", type=type(value).__name__)
    if not math.isfinite(number):
        raise CellError("err.number_finite", value=value)
    if number < 0:
        raise CellError("err.negative", value=value)
    return number


def parse_count(value: Any) -> int:
    number = parse_number(value)
    if not number.is_integer():
        raise CellError("err.whole", value=value)
    if number > MAX_COUNT:
        raise CellError("err.count_large", value=value)
    return int(number)


def _parse_year(value: Any, low: int) -> int:
    try:
        year = parse_count(value)
    except CellError:
        raise CellError("err.year", value=value) from None
    this_year = dt.date.today().year
    if not low <= year <= this_year:
        raise CellError("err.year_range", year=year, low=low, high=this_year)
    return year


def parse_year(value: Any) -> int:
    return _parse_year(value, MIN_YEAR)


def parse_founding_year(value: Any) -> int:
    return _parse_year(value, MIN_FOUNDING_YEAR)


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _YES:
        return True
    if isinstance(value, str) and value.strip().lower() in _NO:
        return False
    raise CellError("err.bool", value=value)


def _coordinate(value: Any, limit: int, word: str) -> float:
    name = Message(f"word.{word}")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError("err.coord_type", name=name)
    try:
        number = float(str(value).strip())
    except ValueError:
        raise CellError("err.coord", value=value, name=name) from None
    if not math.isfinite(number) or abs(number) > limit:
        raise CellError("err.coord_range", name=name, value=value, limit=limit)
    return number


def parse_latitude(value: Any) -> float:
    return _coordinate(value, 90, "latitude")


def parse_longitude(value: Any) -> float:
    return _coordinate(value, 180, "longitude")


def parse_waste_code(value: Any) -> str:
    """Vietnamese waste code as `NN NN NN`; a number that lost its leading zero in Excel is padded back."""
    text = f"{value:06d}" if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        text = f"{int(value):06d}"
    text = text or _text(value)
    match = _WASTE_CODE.match(text)
    if not match:
        raise CellError("err.waste_code", value=value)
    return " ".join(match.groups())


def parse_vsic(value: Any) -> str:
    text = _text(value)
    if not _VSIC.match(text):
        raise CellError("err.vsic_digits", value=value)
    if text[:2] not in reference.divisions():
        raise CellError("err.vsic_division", value=value, division=text[:2])
    return text


def parse_unit(value: Any) -> str:
    text = _text(value)
    if len(text) > MAX_UNIT_LENGTH:
        raise CellError("err.unit_long", limit=MAX_UNIT_LENGTH)
    try:
        units.parse_unit(text)
    except units.UnitError as exc:
        raise CellError(exc.message.key, **exc.message.params) from None
    return text


def enum_parser(name: str) -> Callable[[Any], str]:
    """Accepts the key or either label, any case; returns the key."""
    lookup: dict[str, str] = {}
    for item in contract.enums()[name]:
        for spelling in (item.value, item.label_vi, item.label_en):
            lookup[unicodedata.normalize("NFC", spelling).strip().casefold()] = item.value

    def parse(value: Any) -> str:
        text = _text(value)
        try:
            return lookup[text.casefold()]
        except KeyError:
            allowed = ", ".join(contract.enum_values(name))
            raise CellError("err.enum", what=Message(f"enum.{name}"), value=text, allowed=allowed) from None

    return parse


def list_parser(item: Callable[[Any], str]) -> Callable[[Any], list[str]]:
    def parse(value: Any) -> list[str]:
        parts = [p for p in _text(value).split(";") if p.strip()]
        result: list[str] = []
        for part in parts:
            parsed = item(part)
            if parsed not in result:
                result.append(parsed)
        return result

    return parse


def parser_for(kind: str) -> Callable[[Any], Any]:
    """The parser of a contract column kind (`contract.csv`, column `kind`)."""
    head, _, tail = kind.partition(":")
    simple: dict[str, Callable[[Any], Any]] = {
        "id": parse_id,
        "text": parse_text,
        "number": parse_number,
        "count": parse_count,
        "year": parse_year,
        "founding_year": parse_founding_year,
        "bool": parse_bool,
        "latitude": parse_latitude,
        "longitude": parse_longitude,
        "waste_code": parse_waste_code,
        "vsic": parse_vsic,
        "ref": parse_id,
        "unit": parse_unit,
    }
    if head == "enum":
        return enum_parser(tail)
    if head == "list":
        return list_parser(parse_id if tail == "enterprises" else enum_parser(tail))
    if head in simple:
        return simple[head]
    raise ValueError(f"unknown column kind '{kind}' in the contract")
