"""A plain document (headings, paragraphs, tables) written once and rendered as DOCX, for the board to edit and
sign, and as PDF, to file: the dossiers and annual reports are built as one of these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eipkit import __version__


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    centred: bool = False


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: tuple[int, ...] | None = None


@dataclass
class PageBreak:
    pass


Block = Heading | Paragraph | Table | PageBreak


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def heading(self, text: str, level: int = 1) -> None:
        self.blocks.append(Heading(text, level))

    def paragraph(self, text: str, bold: bool = False, centred: bool = False) -> None:
        self.blocks.append(Paragraph(text, bold, centred))

    def table(
        self, headers: list[str], rows: Sequence[Sequence[object]], widths: tuple[int, ...] | None = None
    ) -> None:
        self.blocks.append(Table(headers, [["" if c is None else str(c) for c in row] for row in rows], widths))

    def page_break(self) -> None:
        self.blocks.append(PageBreak())

    def annex(self, title: str, headers: list[str], rows: list[list[str]]) -> None:
        """The methodology annex that ends every report: what the figures were computed with."""
        self.page_break()
        self.heading(title, 2)
        self.table(headers, rows, (2, 3, 4))

    def text(self) -> str:
        """Every word of the document, for searching and for tests."""
        parts: list[str] = [self.title]
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph):
                parts.append(block.text)
            elif isinstance(block, Table):
                parts += [" | ".join(block.headers)] + [" | ".join(r) for r in block.rows]
        return "\n".join(parts)


def font_files() -> tuple[str, str]:
    """DejaVu Sans, regular and bold, as shipped inside matplotlib: it covers Vietnamese and needs no system font."""
    from matplotlib import font_manager

    regular = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=False)
    bold = font_manager.findfont(
        font_manager.FontProperties(family="DejaVu Sans", weight="bold"), fallback_to_default=False
    )
    return regular, bold


def write_docx(document: Document, out: str | Path) -> Path:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    word = docx.Document()
    word.core_properties.title = document.title
    word.core_properties.author = f"eipkit {__version__}"
    style = word.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    for block in document.blocks:
        if isinstance(block, Heading):
            word.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            paragraph = word.add_paragraph()
            run = paragraph.add_run(block.text)
            run.bold = block.bold
            if block.centred:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, Table):
            grid = word.add_table(rows=1, cols=len(block.headers))
            grid.style = "Table Grid"
            for cell, header in zip(grid.rows[0].cells, block.headers, strict=True):
                cell.text = header
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in block.rows:
                for cell, value in zip(grid.add_row().cells, row, strict=True):
                    cell.text = value
        else:
            word.add_page_break()
    word.save(str(out))
    return out


def write_pdf(document: Document, out: str | Path) -> Path:
    from fpdf import FPDF
    from fpdf.enums import Align
    from fpdf.fonts import FontFace

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    regular, bold = font_files()
    pdf = FPDF(format="A4")
    pdf.set_title(document.title)
    pdf.set_creator(f"eipkit {__version__}")
    pdf.add_font("DejaVu", "", regular)
    pdf.add_font("DejaVu", "B", bold)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    heading_style = FontFace(emphasis="BOLD", fill_color=(226, 239, 218))
    for block in document.blocks:
        if isinstance(block, Heading):
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", {1: 14, 2: 12}.get(block.level, 11))
            pdf.multi_cell(0, 7, block.text, new_x="LMARGIN", new_y="NEXT")
        elif isinstance(block, Paragraph):
            pdf.set_font("DejaVu", "B" if block.bold else "", 10)
            align = Align.C if block.centred else Align.L
            pdf.multi_cell(0, 5, block.text, new_x="LMARGIN", new_y="NEXT", align=align)
        elif isinstance(block, Table):
            pdf.set_font("DejaVu", "", 8)
            with pdf.table(
                col_widths=block.widths, headings_style=heading_style, line_height=4.5, text_align="LEFT"
            ) as grid:
                grid.row(block.headers)
                for row in block.rows:
                    grid.row(row)
            pdf.ln(2)
        else:
            pdf.add_page()
    pdf.set_font("DejaVu", "", 7)
    pdf.multi_cell(0, 4, f"eipkit {__version__} · {dt.date.today().isoformat()}", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))
    return out
