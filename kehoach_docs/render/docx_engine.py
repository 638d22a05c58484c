"""docxtpl templates prepared once and rendered many times.

``DocxTemplate(path).render(...)`` re-reads and re-parses the template for every
document. A :class:`PreparedTemplate` runs docxtpl's own tag clean-up (``patch_xml``)
and compiles the Jinja template once per process; each document then costs one Jinja
render and one zip write. Rendering is sandboxed (a clerk's template cannot reach
Python internals), autoescaped (``&``, ``<`` and quotes stay themselves) and strict (a
missing value is an error, never a silent blank).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .package import Deflated, ensure_property_parts, shared

_TEMPLATED = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, with a short way to ``row.ten`` on the contexts' plain dicts.

    Jinja looks an attribute up first and an item second; the sandbox lets items through unchecked
    (they are data). For a plain dict and a name that is none of dict's own attributes the attribute
    lookup can only fail, so the item is taken at once: the same value, without raising and catching
    an ``AttributeError`` for every field of every row (a province's summary has a hundred thousand).
    """

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except (KeyError, TypeError):     # what the sandbox itself lets fall through
                pass
        elif type(obj) is LoopContext and attribute in _LOOP_FIELDS:
            # ``loop.length`` splits each row's cell widths: the sandbox's checks of it cost the
            # summary of a province a tenth of its rendering, and these plain fields pass them all
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))
#: The fields of Jinja's ``loop`` that the templates read; none runs code of the data's.
_LOOP_FIELDS = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth",
                          "depth0"})


def make_env() -> ImmutableSandboxedEnvironment:
    """The Jinja environment every template renders in."""
    return _Environment(autoescape=True, undefined=StrictUndefined)


# docxtpl's escapes for printing a tag literally. docxtpl replaces them in the rendered XML,
# which also rewrites the same characters in the data ("{_{ x }_}" typed by a clerk would
# print as "{{ x }}"); we turn them into Jinja string literals in the template instead.
_ESCAPES = {"{_{": "{{", "}_}": "}}", "{_%": "{%", "%_}": "%}"}
_ESCAPE = re.compile("|".join(re.escape(e) for e in _ESCAPES))


def literal_escapes(source: str) -> str:
    """Template source with docxtpl's ``{_{`` ``}_}`` ``{_%`` ``%_}`` as literal output."""
    return _ESCAPE.sub(lambda m: '{{ "' + _ESCAPES[m.group()] + '" }}', source)


class PreparedTemplate:
    """A docxtpl template, parsed and compiled once."""

    def __init__(self, path: Path):
        self.path = Path(path)
        data = self.path.read_bytes()
        self.digest = hashlib.sha256(data).hexdigest()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = {i.filename: z.read(i) for i in z.infolist()}
        self.parts = shared(ensure_property_parts(parts))
        self._docxtpl = DocxTemplate(io.BytesIO(data))
        env = make_env()
        self.sources: dict[str, str] = {}
        self.compiled = {}
        self.column_loops: set[str] = set()     # parts whose tables repeat cells ({%tc for %})
        # Parts with text boxes hold paragraphs inside paragraphs: no cut between blocks is safe
        # for docxtpl's paragraph pass there, so they are always rendered whole.
        self.whole_only: set[str] = set()
        for name, raw in parts.items():
            if not _TEMPLATED.match(name):
                continue
            xml = raw.decode("utf-8")
            if "{" not in xml:
                continue
            plain = literal_escapes(self._docxtpl.patch_xml(xml))
            patched = share_loop_width(plain)
            if patched != plain:
                self.column_loops.add(name)
            # The checks read the source one paragraph per line, as docxtpl does, so a finding can
            # name its paragraph; the compiled template has no such breaks to strip from every render.
            self.sources[name] = re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
            if "txbxContent" in patched:
                self.whole_only.add(name)
            self.compiled[name] = env.from_string(patched)

    def render_parts(self, context: dict, block: int | None = None) -> dict[str, bytes | Deflated]:
        """Render every templated part; the other parts are shared as they are.

        A part that outgrows ``block`` characters (:data:`STREAM_BLOCK`) is finished and deflated
        block by block as Jinja produces it (a :class:`Deflated`), never held whole: a province's
        summary report is tens of megabytes of XML. Either way the bytes are the same.
        """
        block = block or STREAM_BLOCK
        out = dict(self.parts)
        for name, template in self.compiled.items():
            if name in self.whole_only:
                out[name] = self._finish(name, template.render(context)).encode("utf-8")
                continue
            pieces = _joined(template.generate(context))
            head, size = [], 0
            for piece in pieces:
                head.append(piece)
                size += len(piece)
                if size > block:
                    break
            else:
                out[name] = self._finish(name, "".join(head)).encode("utf-8")
                continue
            try:
                out[name] = Deflated(self._stream(name, itertools.chain(head, pieces), block))
            except _Unusual:   # a table fit_grid must parse: the part is rendered again, whole
                out[name] = self._finish(name, template.render(context)).encode("utf-8")
        return out

    def _finish(self, name: str, xml: str, fitter: _GridFitter | None = None, last: bool = True) -> str:
        """The rendered XML of a part (or of one block of it, cut between paragraphs and rows) as
        it goes into the document."""
        if _may_break(xml) and _BREAK_IN_TEXT.search(xml):
            # line breaks and tabs inside values become <w:br/> and <w:tab/> (docxtpl's own pass,
            # run only when a text holds one: it is most of the cost of a render otherwise)
            xml = self._docxtpl.resolve_listing(xml)
        if last and name == "word/document.xml":
            xml = fold_empty_last_section(xml)
        if name in self.column_loops:
            xml = fit_grid(xml) if fitter is None else fitter.feed(xml)
        return xml

    def _stream(self, name: str, pieces: Iterator[str], block: int) -> Iterator[bytes]:
        """The finished part in UTF-8 blocks of about ``block`` characters, each cut where no
        paragraph or table row is open, so every pass above sees whole paragraphs and rows."""
        fitter = _GridFitter()
        buf, size, limit, in_row = [], 0, block, False
        for piece in pieces:
            buf.append(piece)
            size += len(piece)
            if size < limit:
                continue
            text = "".join(buf)
            cut, in_row = _safe_cut(text, in_row)
            if cut:
                yield self._finish(name, text[:cut], fitter, last=False).encode("utf-8")
                buf, size, limit = [text[cut:]], len(text) - cut, block
            else:           # inside a long row: wait for its end
                buf, limit = [text], size + block
        yield self._finish(name, "".join(buf), fitter).encode("utf-8")
        if fitter.open:
            raise _Unusual


#: Rendered XML longer than this (characters) is finished and deflated in blocks of this size.
STREAM_BLOCK = 1 << 18


def _joined(pieces: Iterator[str], n: int = 1024) -> Iterator[str]:
    """``pieces`` joined ``n`` at a time. Jinja yields a piece per tag and text run; looking at each
    in Python cost a report draft as much as rendering it."""
    while batch := list(itertools.islice(pieces, n)):
        yield "".join(batch)


_ROW_START = re.compile(r"<w:tr[ >]")


def _safe_cut(text: str, in_row: bool) -> tuple[int, bool]:
    """Where to cut ``text`` (0: not yet) and whether a table row is open there; ``in_row`` tells
    whether one is open where ``text`` starts. The cut follows a row's end or precedes a paragraph
    outside any row."""
    end = text.rfind("</w:tr>")
    if end >= 0:
        return end + len("</w:tr>"), False
    p = text.rfind("<w:p")
    while p > 0 and text[p + 4:p + 5] not in (" ", ">"):     # <w:pPr>, <w:pStyle …>
        p = text.rfind("<w:p", 0, p)
    if p <= 0 or in_row or _ROW_START.search(text, 0, p):
        return 0, in_row
    return p, False


# A cell repeated by a column loop: "{% for … %}" right before a <w:tc>, and its width.
_CELL_LOOP = re.compile(r"(\{%-?\s*for\s[^%]*%\})(\s*<w:tc[ >](?:(?!</w:tc>).)*?<w:tcW\b[^>]*?\bw:w=\")(\d+)(\")",
                        re.S)


def share_loop_width(source: str) -> str:
    """A cell repeated by ``{%tc for %}`` gets an equal share of its template width per repetition:
    the template reserves the width of all the plan's value columns for the one looped cell."""
    return _CELL_LOOP.sub(lambda m: f"{m.group(1)}{m.group(2)}{{{{ ({m.group(3)} // loop.length) }}}}{m.group(4)}",
                          source)


_TCW = re.compile(r'<w:tcW\b[^>]*?\bw:w="(\d+)"')


def _rows_of(xml: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each table row (``<w:tr>`` or ``<w:tr …>`` to its ``</w:tr>``) in ``xml``.
    Plain ``str.find``: this runs for every report draft, where regular expressions with a
    look-ahead per character cost most of a render."""
    pos = 0
    while (i := xml.find("<w:tr", pos)) >= 0:
        if xml[i + 5:i + 6] not in (" ", ">"):     # <w:trPr>, <w:trHeight …>
            pos = i + 5
            continue
        end = xml.find("</w:tr>", i)
        if end < 0:
            return
        yield i, end + 7
        pos = end + 7


def _cell_widths(row: str) -> list[int]:
    """The ``w:tcW`` width of each ``<w:tc>`` of ``row`` that has one."""
    widths, pos = [], 0
    while (i := row.find("<w:tc>", pos)) >= 0:
        end = row.find("</w:tc>", i)
        if end < 0:
            break
        m = _TCW.search(row, i, end)
        if m:
            widths.append(int(m.group(1)))
            pos = end + 7
        else:
            pos = i + 6
    return widths


def fit_grid(xml: str) -> str:
    """Make each table's grid (``w:tblGrid``) follow its first row's cell widths, after a column
    loop changed how many cells a row has (docxtpl's own ``fix_tables`` only counts them), and
    rebalance columns too narrow to read (:func:`_make_room`), every row's cells alike.

    Runs for every report draft, so it is plain string work; a table that spans or nests cells
    takes the full XML path (:func:`_fit_grid_tree`, which gives the same document)."""
    try:
        fitter = _GridFitter()
        out = fitter.feed(xml)
        if not fitter.open:
            return out
    except _Unusual:
        pass
    return _fit_grid_tree(xml)


class _Unusual(Exception):
    """A table the string pass of :func:`fit_grid` leaves to the XML path."""


class _GridFitter:
    """:func:`fit_grid` as string work over a part given whole or in blocks cut between rows."""

    def __init__(self):
        self.open = False       # a table whose grid was in an earlier block has not ended yet
        self.fitted = None      # that table's rebalanced widths (None: its rows stay as they are)

    def feed(self, xml: str) -> str:
        out, pos = [], 0
        if self.open:
            end = xml.find("</w:tbl>")
            out.append(self._rows(xml if end < 0 else xml[:end]))
            if end < 0:
                return out[0]
            self.open, pos = False, end
        while (start := xml.find("<w:tblGrid>", pos)) >= 0:
            grid_end = xml.find("</w:tblGrid>", start)
            if grid_end < 0:
                break
            grid_end += len("</w:tblGrid>")
            end = xml.find("</w:tbl>", grid_end)
            table = xml[grid_end:len(xml) if end < 0 else end]
            row = next(_rows_of(table), None)
            first = table[row[0]:row[1]] if row else ""
            widths = _cell_widths(first)
            if not widths or len(widths) != first.count("<w:tc>"):
                raise _Unusual
            fitted = _make_room(widths)
            self.fitted = fitted if fitted != widths else None
            out += [xml[pos:start], "<w:tblGrid>", *(f'<w:gridCol w:w="{w}"/>' for w in fitted),
                    "</w:tblGrid>", self._rows(table)]
            if end < 0:
                self.open = True
                return "".join(out)
            pos = end
        out.append(xml[pos:])
        return "".join(out)

    def _rows(self, table: str) -> str:
        if "<w:tbl>" in table or "gridSpan" in table or "<w:tc " in table:
            raise _Unusual
        if self.fitted is None:
            return table
        out, pos = [], 0
        for start, end in _rows_of(table):
            out += [table[pos:start], _resize_row(table[start:end], self.fitted)]
            pos = end
        out.append(table[pos:])
        return "".join(out)


def _resize_row(row: str, widths: list[int]) -> str:
    """``row`` with its cells' widths set to ``widths`` (a row of another cell count stays as it is)."""
    pieces = row.split("<w:tc>")
    if len(pieces) - 1 != len(widths):
        return row
    out = [pieces[0]]
    for piece, x in zip(pieces[1:], widths):
        m = _TCW.search(piece)      # the first width given in the cell
        out.append(piece if m is None else f"{piece[:m.start(1)]}{x}{piece[m.end(1):]}")
    return "<w:tc>".join(out)


def _fit_grid_tree(xml: str) -> str:
    """:func:`fit_grid` on the parsed XML: spans, nested tables, columns rebalanced."""
    from lxml import etree
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = etree.fromstring(xml.encode("utf-8"))
    for tbl in root.iter(w + "tbl"):
        grid, first = tbl.find(w + "tblGrid"), tbl.find(w + "tr")
        if grid is None or first is None:
            continue
        widths = []
        for tc in first.findall(w + "tc"):
            tcw, span = tc.find(f"{w}tcPr/{w}tcW"), tc.find(f"{w}tcPr/{w}gridSpan")
            n = int(span.get(w + "val")) if span is not None else 1
            total = int(tcw.get(w + "w")) if tcw is not None else 0
            widths += [total // n] * n
        fitted = _make_room(widths)
        if fitted != widths:        # every row's cells follow, position by position
            for tr in tbl.findall(w + "tr"):
                cells = tr.findall(w + "tc")
                if len(cells) == len(fitted):
                    for tc, x in zip(cells, fitted):
                        tcw = tc.find(f"{w}tcPr/{w}tcW")
                        if tcw is not None:
                            tcw.set(w + "w", str(x))
            widths = fitted
        if len(widths) == len(grid) and all(int(g.get(w + "w", 0)) == x for g, x in zip(grid, widths)):
            continue
        for g in list(grid):
            grid.remove(g)
        for x in widths:
            etree.SubElement(grid, w + "gridCol").set(w + "w", str(x))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode("utf-8")


#: The narrowest a column may get when a plan's many value columns share their room (twips, 1,6 cm).
MIN_COLUMN = 900


def _make_room(widths: list[int]) -> list[int]:
    """Widen columns narrower than :data:`MIN_COLUMN` at the expense of the widest (the indicator's
    name), which keeps at least half its width: a five-year plan's six value columns stay legible."""
    deficit = sum(MIN_COLUMN - x for x in widths if x < MIN_COLUMN)
    if not deficit or not widths:
        return widths
    k = widths.index(max(widths))
    give = min(deficit, widths[k] // 2)
    out = list(widths)
    for i, x in enumerate(widths):
        if i != k and x < MIN_COLUMN:
            share = (MIN_COLUMN - x) * give // deficit
            out[i] += share
            out[k] -= share
    return out


_SECT_END = "</w:sectPr></w:pPr></w:p>"


def fold_empty_last_section(xml: str) -> str:
    """Drop a last section left empty by a template's ``if`` (a plan without its last appendix):
    the section before it becomes the last, keeping its own page set-up, so no blank page is
    printed. The paragraph that ended that section is empty (python-docx's section break)."""
    body_sect = xml.rfind("<w:sectPr")
    end = xml.rfind(_SECT_END, 0, body_sect)
    if end < 0 or xml[end + len(_SECT_END):body_sect].strip():
        return xml
    start = max(xml.rfind("<w:p>", 0, end), xml.rfind("<w:p ", 0, end))
    para = xml[start:end + len(_SECT_END)]
    if "<w:r>" in para or "<w:r " in para:
        return xml
    own = para[para.rfind("<w:sectPr"):len(para) - len("</w:pPr></w:p>")]
    close = xml.find("</w:sectPr>", body_sect) + len("</w:sectPr>")
    return xml[:start] + own + xml[close:]


_BREAK_IN_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>[^<]*[\n\t\a\f]")


def _may_break(xml: str) -> bool:
    """Whether ``xml`` holds a character :data:`_BREAK_IN_TEXT` looks for, not counting the line end
    after an XML declaration (which would make every part look as if it held one): four scans at
    memory speed spare the pattern's walk through every text of a document that has none."""
    start = 0
    if xml.startswith("<?xml"):
        start = xml.find("?>") + 2
        while xml[start:start + 1] in ("\r", "\n"):
            start += 1
    return any(xml.find(c, start) >= 0 for c in "\n\t\a\f")


@lru_cache(maxsize=16)
def _prepared(path: str, mtime_ns: int, size: int) -> PreparedTemplate:
    return PreparedTemplate(Path(path))


def prepared(path: str) -> PreparedTemplate:
    """The process-wide prepared copy of a template (each worker prepares it once).

    Keyed by the file's modification time and size, so a template edited meanwhile is
    prepared again rather than served stale.
    """
    st = os.stat(path)
    return _prepared(_real(str(path)), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _real(path: str) -> str:
    """``path`` resolved, once per process: asked for every document, where resolving it anew
    (a look at each folder on the way) cost a tenth of a draft's render."""
    return os.path.realpath(path)
