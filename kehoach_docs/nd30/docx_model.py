"""Read-only view of a .docx for checking: body elements, sections, headers, and each
paragraph's and run's effective formatting resolved through styles and defaults.

Like python-docx, this layers names over the XML; unlike it, it resolves inheritance
(run -> character style -> paragraph style chain -> document defaults), which is what
a rule about "the font of every run" needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from ..untrusted_zip import UnreadableFile, UnsafeZip, open_zip, read_part

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_PART = 50 * 1024 * 1024
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class NotADocx(Exception):
    """The file cannot be read as a Word document."""


def _on(el) -> bool | None:
    if el is None:
        return None
    return el.get(W + "val", "true") not in ("0", "false", "off", "none")


@dataclass
class Para:
    """A paragraph with its text, position and a handle to resolve formatting."""

    el: object
    index: int           # 1-based among all body paragraphs
    text: str
    in_table: bool


class DocxView:
    """The parts of a .docx a layout check needs."""

    def __init__(self, path):
        try:
            z = open_zip(path)
        except UnreadableFile as exc:
            raise NotADocx(str(exc)) from None
        except UnsafeZip as exc:
            raise NotADocx(f"không phải tệp Word .docx hợp lệ: {exc}") from None
        with z:
            names = set(z.namelist())
            if "word/document.xml" not in names:
                raise NotADocx("tệp zip không có word/document.xml (không phải .docx)")

            def load(name):
                return etree.fromstring(read_part(z, name, MAX_PART), _PARSER)

            try:
                self.doc = load("word/document.xml")
                self.styles = load("word/styles.xml") if "word/styles.xml" in names else None
                rels = load("word/_rels/document.xml.rels") if "word/_rels/document.xml.rels" in names else None
                self.parts = {}
                if rels is not None:
                    for rel in rels:
                        target = rel.get("Target", "")
                        name = "word/" + target.lstrip("/").removeprefix("word/")
                        if re.search(r"(header|footer)\d*\.xml$", target) and name in names:
                            self.parts[rel.get("Id")] = load(name)
            except UnsafeZip as exc:
                raise NotADocx(str(exc)) from None
            except etree.XMLSyntaxError as exc:
                raise NotADocx(f"XML trong tệp bị hỏng ({exc})") from None
        if self.doc.tag != W + "document" or self.doc.find(W + "body") is None:
            raise NotADocx("word/document.xml không có phần thân văn bản (w:body); không phải .docx hợp lệ")
        self.body = self.doc.find(W + "body")
        self._style_by_id = {}
        self.default_rpr = self.default_ppr = None
        if self.styles is not None:
            for st in self.styles.iter(W + "style"):
                self._style_by_id[st.get(W + "styleId")] = st
            dd = self.styles.find(W + "docDefaults")
            if dd is not None:
                self.default_rpr = dd.find(f"{W}rPrDefault/{W}rPr")
                self.default_ppr = dd.find(f"{W}pPrDefault/{W}pPr")
        self.paragraphs: list[Para] = []
        for i, p in enumerate(self.body.iter(W + "p"), start=1):
            in_table = any(True for _ in p.iterancestors(W + "tc"))
            self.paragraphs.append(Para(p, i, text_of(p), in_table))

    # --- styles -----------------------------------------------------------
    def _chain(self, style_id):
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            st = self._style_by_id.get(style_id)
            if st is None:
                return
            yield st
            based = st.find(W + "basedOn")
            style_id = based.get(W + "val") if based is not None else None

    def _para_style_id(self, p):
        ps = p.find(f"{W}pPr/{W}pStyle")
        if ps is not None:
            return ps.get(W + "val")
        for sid, st in self._style_by_id.items():
            if st.get(W + "type") == "paragraph" and st.get(W + "default") in ("1", "true"):
                return sid
        return None

    def ppr(self, p, tag: str):
        """The effective ``w:pPr/tag`` element of paragraph ``p``."""
        el = p.find(f"{W}pPr/{W}{tag}")
        if el is not None:
            return el
        for st in self._chain(self._para_style_id(p)):
            el = st.find(f"{W}pPr/{W}{tag}")
            if el is not None:
                return el
        return self.default_ppr.find(W + tag) if self.default_ppr is not None else None

    def ppr_attr(self, p, tag: str, attr: str, default=None):
        """An attribute of ``tag`` merged across the inheritance chain (spacing, ind)."""
        chain = [p.find(f"{W}pPr/{W}{tag}")]
        chain += [st.find(f"{W}pPr/{W}{tag}") for st in self._chain(self._para_style_id(p))]
        if self.default_ppr is not None:
            chain.append(self.default_ppr.find(W + tag))
        for el in chain:
            if el is not None and el.get(W + attr) is not None:
                return el.get(W + attr)
        return default

    def rpr(self, r, p, tag: str):
        """The effective ``w:rPr/tag`` of run ``r`` in paragraph ``p``."""
        el = r.find(f"{W}rPr/{W}{tag}") if r is not None else None
        if el is not None:
            return el
        if r is not None:
            rs = r.find(f"{W}rPr/{W}rStyle")
            if rs is not None:
                for st in self._chain(rs.get(W + "val")):
                    el = st.find(f"{W}rPr/{W}{tag}")
                    if el is not None:
                        return el
        for st in self._chain(self._para_style_id(p)):
            el = st.find(f"{W}rPr/{W}{tag}")
            if el is not None:
                return el
        return self.default_rpr.find(W + tag) if self.default_rpr is not None else None

    def runs(self, p):
        return [r for r in p.iter(W + "r") if "".join(t.text or "" for t in r.iter(W + "t")).strip()]

    def size(self, p) -> int | None:
        """Half-point size of the text of ``p`` (its first text run, else its mark)."""
        runs = self.runs(p)
        el = self.rpr(runs[0] if runs else None, p, "sz")
        return int(el.get(W + "val")) if el is not None else 20

    def flag(self, p, tag: str) -> bool:
        """Bold/italic/… true for every text run of ``p``."""
        runs = self.runs(p)
        return bool(runs) and all(_on(self.rpr(r, p, tag)) for r in runs)

    def run_flag(self, r, p, tag: str) -> bool:
        """Bold/italic/… of one run ``r`` of paragraph ``p``."""
        return _on(self.rpr(r, p, tag))

    def any_flag(self, p, tag: str) -> bool:
        return any(_on(self.rpr(r, p, tag)) for r in self.runs(p))

    def align(self, p) -> str:
        el = self.ppr(p, "jc")
        return el.get(W + "val") if el is not None else "left"

    def font(self, r, p) -> str | None:
        el = self.rpr(r, p, "rFonts")
        if el is None:
            return None
        return el.get(W + "ascii") or el.get(W + "hAnsi") or (
            "(theme)" if el.get(W + "asciiTheme") else None)

    def has_bottom_rule(self, p) -> bool:
        return p.find(f"{W}pPr/{W}pBdr/{W}bottom") is not None or bool(
            re.fullmatch(r"_{4,}|-{6,}", text_of(p).strip())) or p.find(f".//{W}drawing") is not None \
            or bool(p.xpath(".//*[local-name()='line' or local-name()='shape']"))


def text_of(el) -> str:
    parts = []
    for t in el.iter(W + "t", W + "tab", W + "br"):
        parts.append(t.text or "" if t.tag == W + "t" else " ")
    return "".join(parts)
