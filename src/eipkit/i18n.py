"""Words and numbers in the user's language: Vietnamese by default, English on request."""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from typing import Any

from babel.numbers import format_decimal

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
_LOCALES = {"vi": "vi_VN", "en": "en_GB"}


def language(requested: str | None = None) -> str:
    """The requested language, else EIPKIT_LANG, else Vietnamese."""
    lang = (requested or os.environ.get("EIPKIT_LANG") or DEFAULT).lower()
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not '{lang}'")
    return lang


@cache
def _messages() -> dict[str, dict[str, str]]:
    text = resources.files("eipkit.data").joinpath("messages.csv").read_text(encoding="utf-8")
    return {row["key"]: {"vi": row["vi"], "en": row["en"]} for row in csv.DictReader(text.splitlines())}


def known(key: str) -> bool:
    return key in _messages()


def t(key: str, lang: str = DEFAULT, **params: object) -> str:
    """The message `key` in `lang`, with `{name}` placeholders filled; an unknown key is returned as is."""
    entry = _messages().get(key)
    if entry is None:
        return key
    return entry[lang].format(**params) if params else entry[lang]


class Message:
    """A sentence kept as a key and its parameters until someone reads it, then said in their language.

    A parameter may itself be a Message (a translated word inside a sentence).
    """

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params

    def text(self, lang: str = "en") -> str:
        params = {k: v.text(lang) if isinstance(v, Message) else v for k, v in self.params.items()}
        return t(self.key, lang, **params)

    def __str__(self) -> str:
        return self.text("en")

    def __repr__(self) -> str:
        return f"Message({self.key!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))


class Figure(Message):
    """A number inside a sentence, written as the reader's locale writes it."""

    def __init__(self, value: float | int | None, digits: int = 0) -> None:
        super().__init__("figure", value=value, digits=digits)

    def text(self, lang: str = "en") -> str:
        return number(self.params["value"], lang, self.params["digits"])  # type: ignore[arg-type]


class Said(Message):
    """A text that comes with its own Vietnamese and English (from a data file), said in the reader's language."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__("said", vi=vi, en=en)

    def text(self, lang: str = "en") -> str:
        return str(self.params[lang if lang in LANGUAGES else "en"])


class Joined(Message):
    """Several messages said one after another, as one parameter of a sentence (every field at fault, say)."""

    __slots__ = ("parts", "separator")

    def __init__(self, parts: Sequence[Message], separator: str = "; ") -> None:
        super().__init__("")
        self.parts = tuple(parts)
        self.separator = separator

    def text(self, lang: str = "en") -> str:
        return self.separator.join(part.text(lang) for part in self.parts)

    def __reduce__(self) -> tuple[Any, ...]:
        return Joined, (self.parts, self.separator)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Joined) and (self.parts, self.separator) == (other.parts, other.separator)

    def __hash__(self) -> int:
        return hash((self.parts, self.separator))


class LocalisedError(ValueError):
    """An error whose reason can be said in Vietnamese or English; str() gives the English."""

    def __init__(self, key: str, **params: object) -> None:
        self.message = Message(key, **params)
        super().__init__(self.message.text("en"))

    def text(self, lang: str) -> str:
        return self.message.text(lang)

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt from its message, whatever the subclass's own constructor takes (errors cross to and from the
        web application's worker processes)."""
        return _rebuilt, (type(self), self.message)


def _rebuilt(cls: type[LocalisedError], message: Message) -> LocalisedError:
    error = cls.__new__(cls)
    error.message = message
    error.args = (message.text("en"),)
    return error


def number(value: float | int | None, lang: str = DEFAULT, digits: int = 1) -> str:
    """A figure as the reader's locale writes it (1.234,5 in Vietnamese, 1,234.5 in English)."""
    if value is None:
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return format_decimal(value, locale=_LOCALES[lang])
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_LOCALES[lang])


_SCALES = ((1e9, "tỷ đồng", "billion"), (1e6, "triệu đồng", "million"))


def money(value: float | int | None, lang: str = DEFAULT) -> str:
    """An amount of đồng as its reader says it: 74.403 tỷ đồng, 1,97 tỷ đồng, 571 triệu đồng (VND 74,403 billion,
    VND 571 million), three figures or more, never a row of thirteen digits."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    for scale, vi, en in _SCALES:
        if abs(value) >= scale:
            amount = value / scale
            digits = 2 if abs(amount) < 10 else 1 if abs(amount) < 100 else 0
            figure = number(amount, lang, digits)
            return f"{figure} {vi}" if lang == "vi" else f"VND {figure} {en}"
    figure = number(float(value), lang, 0)
    return f"{figure} đồng" if lang == "vi" else f"VND {figure}"


def millions(value: float | int | None, lang: str = DEFAULT, digits: int = 1) -> str:
    """An amount of đồng in millions, for a column headed "triệu đồng" (million VND)."""
    return "–" if value is None else number(value / 1e6, lang, digits)


class NotANumber(ValueError):
    """Text typed where a number was asked for that is not one in the reader's way of writing or in plain digits."""


def parse_number(text: str, lang: str = DEFAULT) -> float:
    """A number as a reader types it: in their locale (241.493,1 in Vietnamese, 241,493.1 in English), else in plain
    digits with a '.' decimal point (54.69); grouping must be where the locale puts it, so 54.69 is never 5,469."""
    from babel.numbers import NumberFormatError, parse_decimal

    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    try:
        value = float(parse_decimal(cleaned, locale=_LOCALES[lang], strict=True))
    except NumberFormatError:
        try:
            value = float(cleaned)
        except ValueError:
            raise NotANumber(text) from None
    if not math.isfinite(value):
        raise NotANumber(text)
    return value


def date(value: dt.date | str | None, lang: str = DEFAULT) -> str:
    """A day as its reader writes it: 24/02/2026 in Vietnamese, 24 Feb 2026 in English (a stored ISO day too)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y") if lang == "vi" else f"{value.day} {value:%b %Y}"


def shown(value: object, lang: str = DEFAULT, prefix: str = "", name: Callable[[str], str] | None = None) -> str:
    """Any value of a result for a reader: yes/no, numbers in the locale, `key: value` pairs (keys named by `name`,
    else labelled by the messages `prefix + key` when there are such), lists, and a dash for nothing."""
    if isinstance(value, bool):
        return t("cert.yes" if value else "cert.no", lang)
    if isinstance(value, int | float):
        return number(value, lang, digits=0 if float(value).is_integer() else 2)
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            if name is not None:
                label = name(str(key))
            else:
                label = t(f"{prefix}{key}", lang) if prefix else str(key)
                label = str(key) if label == f"{prefix}{key}" else label
            said = str(item) if str(key).endswith("year") and isinstance(item, int) else shown(item, lang, prefix, name)
            parts.append(f"{label}: {said}")  # a year has no thousands separator
        return "; ".join(parts) or "–"
    if isinstance(value, list | tuple):
        return "; ".join(shown(v, lang, prefix, name) for v in value) or "–"
    return "–" if value is None else str(value)
