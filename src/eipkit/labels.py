"""Names of the workbook contract said in the reader's language inside a sentence: a column by its label, choices
(services, carriers, fates) by theirs, never by the keys the data store them under."""

from __future__ import annotations

from eipkit import contract
from eipkit.i18n import Message


class ColumnName(Message):
    """A column of the contract as its reader knows it: its label, with its sheet's."""

    def __init__(self, sheet: str, column: str) -> None:
        super().__init__("contract.column", sheet=sheet, column=column)

    def text(self, lang: str = "en") -> str:
        sheet = contract.sheets()[str(self.params["sheet"])]
        label = sheet.label_vi if lang == "vi" else sheet.label_en
        return f"{sheet.column(str(self.params['column'])).label(lang)} ({label})"


class Choices(Message):
    """Values of one enumeration by their labels."""

    def __init__(self, enum: str, *values: str) -> None:
        super().__init__("contract.choices", enum=enum, values=values)

    def text(self, lang: str = "en") -> str:
        values: tuple[str, ...] = self.params["values"]  # type: ignore[assignment]
        return ", ".join(contract.enum_label(str(self.params["enum"]), v, lang) for v in values)
