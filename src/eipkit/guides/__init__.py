"""The programme's technical guidance inside the product: one guide per task (RECP assessment, symbiosis,
certification, monitoring, the workbook, the results table), in Vietnamese and English, served by the web application,
printed as PDF and shown by `eipkit guide`.

A guide is Markdown with Jinja placeholders (`data/guides/TOPIC.LANG.md`): tables that come from the product's own
data (the 18 RECP tasks, the workbook's columns, a rule pack's criteria, a procedure's time limits) and the figures of
its worked example (`ex.KEY`), written once in `data/guides/examples.yaml` and checked against the product by
`examples.drift`. A heading may end with `{#anchor}`: the same anchor in both languages, so that a page's "how is this
computed?" link finds its section whatever the reader's language.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, StrictUndefined
from markdown_it import MarkdownIt
from markdown_it.token import Token

from eipkit import contract, i18n
from eipkit.errors import NotFound
from eipkit.guides.examples import printed
from eipkit.reports.document import Document

TOPICS = ("recp", "symbiosis", "certification", "monitoring", "workbook", "results")
_ANCHOR = re.compile(r"^(#{1,6} .*?)\s*\{#([a-z0-9-]+)\}\s*$", re.MULTILINE)


class UnknownGuide(NotFound):
    """A guide topic that does not exist."""


@dataclass(frozen=True)
class Guide:
    topic: str
    lang: str
    title: str
    markdown: str  # placeholders filled, anchors still marked
    anchors: tuple[str, ...]  # of the headings, in order ("" where a heading has none)

    @property
    def text(self) -> str:
        """The Markdown without the anchor marks, as a reader sees it."""
        return _ANCHOR.sub(r"\1", self.markdown)


def _text(name: str) -> str:
    return resources.files("eipkit.data").joinpath("guides").joinpath(name).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(resources.files("eipkit.data").joinpath(name).read_text(encoding="utf-8").splitlines()))


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table; a cell's pipes are escaped."""

    def cell(value: Any) -> str:
        return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


class _Figures:
    """`ex.KEY` in a guide: the worked example's figure as the reader's language writes it."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __getattr__(self, key: str) -> str:
        example = printed().get(key)
        if example is None:
            raise AttributeError(f"no worked-example figure '{key}' in data/guides/examples.yaml")
        if isinstance(example.value, dt.date):
            return i18n.date(example.value, self.lang)
        return i18n.number(float(example.value), self.lang, example.digits)


def _helpers(lang: str) -> dict[str, Any]:
    def tasks() -> str:
        rows = [[r["step"], r["task"], r[f"step_{lang}"], r[f"title_{lang}"]] for r in _rows("cp_method.csv")]
        return _table([i18n.t(f"guide.head.{k}", lang) for k in ("step", "task", "phase", "title")], rows)

    def columns(sheet: str) -> str:
        rows = [
            [
                f"`{c.name}`",
                c.label(lang),
                i18n.t("cert.yes" if c.required else "cert.no", lang),
                c.unit_vi if lang == "vi" else c.unit,
                *([] if lang == "vi" else [c.description]),  # the contract's notes are in English only
            ]
            for c in contract.sheets()[sheet].columns
        ]
        heads = ("column", "label", "required", "unit") + (() if lang == "vi" else ("note",))
        return _table([i18n.t(f"guide.head.{k}", lang) for k in heads], rows)

    def criteria(pack: str) -> str:
        from eipkit.certification import rules

        loaded = rules.load(pack)
        rows = []
        for c in (*loaded.criteria, *loaded.enterprise_criteria):
            threshold = c.threshold
            if threshold is None or threshold.value is None:
                limit = "–"
            else:
                sign = {"==": "=", ">=": "≥", "<=": "≤"}.get(threshold.comparison, threshold.comparison)
                unit = threshold.unit_vi if lang == "vi" and threshold.unit_vi else threshold.unit
                limit = f"{sign} {i18n.number(threshold.value, lang, 0)} {unit}"
            rows.append([c.id, c.title[lang], limit, i18n.t(f"guide.wording.{c.wording}", lang)])
        heads = ("criterion", "title", "threshold", "wording")
        return _table([i18n.t(f"guide.head.{k}", lang) for k in heads], rows)

    def steps(name: str) -> str:
        from eipkit.certification.procedure import _spec

        rows = []
        for s in _spec(name)["steps"]:
            limit = "–" if s["days"] is None else f"{s['days']} {i18n.t('guide.unit.' + s['unit'], lang)}"
            said = f"guide.confidence.{s['confidence']}"
            confidence = i18n.t(said, lang) if i18n.known(said) else s["confidence"]
            rows.append([s[f"actor_{lang}"], s[f"action_{lang}"], limit, s["citation"], confidence])
        heads = ("actor", "action", "limit", "citation", "confidence")
        return _table([i18n.t(f"guide.head.{k}", lang) for k in heads], rows)

    def sheets() -> str:
        rows = [
            [f"`{s.name}`", s.label_vi if lang == "vi" else s.label_en, len(s.columns)]
            for s in contract.sheets().values()
        ]
        heads = ("sheet", "label", "columns")
        return _table([i18n.t(f"guide.head.{k}", lang) for k in heads], rows)

    return {"tasks": tasks, "columns": columns, "criteria": criteria, "steps": steps, "sheets": sheets}


@cache
def _environment() -> Environment:
    # `{#anchor}` marks a heading: Jinja's comments take another mark
    return Environment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        comment_start_string="<!--#",
        comment_end_string="#-->",
    )


def guide(topic: str, lang: str = i18n.DEFAULT) -> Guide:
    """The guide on `topic` in `lang`, its placeholders filled."""
    if topic not in TOPICS:
        raise UnknownGuide("guide.unknown", topic=topic, topics=", ".join(TOPICS))
    source = _text(f"{topic}.{lang}.md")
    text = _environment().from_string(source).render(ex=_Figures(lang), **_helpers(lang))
    title = next(line[2:].strip() for line in text.splitlines() if line.startswith("# "))
    anchors = tuple(
        (match.group(2) if (match := _ANCHOR.match(line)) else "")
        for line in text.splitlines()
        if re.match(r"^#{1,6} ", line)
    )
    return Guide(topic, lang, _ANCHOR.sub(r"\1", title), text, anchors)


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def html(found: Guide) -> str:
    """The guide as HTML (raw HTML in the source is shown as text); headings carry their anchors as ids."""
    parser = _parser()
    tokens = parser.parse(found.text)
    anchors = iter(found.anchors)
    for token in tokens:
        if token.type == "heading_open":
            anchor = next(anchors, "")
            if anchor:
                token.attrSet("id", anchor)
        elif token.type == "table_open":
            token.attrSet("class", "guide-table")
    rendered = parser.renderer.render(tokens, parser.options, {})
    return re.sub(r"<table class=\"guide-table\">(.*?)</table>", r'<div class="table-wrap"><table>\1</table></div>',
                  rendered, flags=re.DOTALL)  # fmt: skip


def _inline(token: Token) -> str:
    """The plain text of an inline token (emphasis and code marks dropped, links shown as their text)."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def document(found: Guide) -> Document:
    """The guide as a document for PDF and DOCX: headings, paragraphs, list items and tables."""
    out = Document(found.title)
    tokens = _parser().parse(found.text)
    index, bullet = 0, ""
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            out.heading(_inline(tokens[index + 1]), min(int(token.tag[1]), 3))
            index += 3
            continue
        if token.type in ("bullet_list_open", "ordered_list_open"):
            bullet = "•" if token.type == "bullet_list_open" else "–"
        elif token.type == "inline" and tokens[index - 1].type == "paragraph_open":
            inside_item = index >= 2 and tokens[index - 2].type == "list_item_open"
            out.paragraph(f"{bullet} {_inline(token)}" if inside_item else _inline(token))
        elif token.type == "fence":
            out.paragraph(token.content.rstrip())
        elif token.type == "table_open":
            headers: list[str] = []
            rows: list[list[str]] = []
            row: list[str] = []
            while tokens[index].type != "table_close":
                cell = tokens[index]
                if cell.type == "inline":
                    row.append(_inline(cell))
                elif cell.type == "tr_close":
                    if headers:
                        rows.append(row)
                    else:
                        headers = row
                    row = []
                index += 1
            out.table(headers, rows)
        index += 1
    return out


def pdf(found: Guide, out: Any) -> Any:
    from eipkit.reports.document import write_pdf

    return write_pdf(document(found), out)
