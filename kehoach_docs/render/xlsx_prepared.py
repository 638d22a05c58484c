"""The agency's result-entry workbook, prepared once per process and filled per agency.

openpyxl builds a *prototype* through the one writer that defines the layout
(:func:`~kehoach_docs.render.xlsx_result_entry.write_result_entry`), from a sample whose every
varying cell holds a marker: one indicator row of each entry kind, one task row. Styles,
validations, protection, page set-up, column widths and the unchanging sheets come from it as
they are. Each agency's workbook then repeats the sample rows for its own rows at the XML level,
writes its values as inline strings or numbers in the sample's styles, and recomputes what
depends on the rows: heights, validation ranges, dimensions and print areas. The prototype's
unchanged parts are the same bytes objects every time, so they are deflated once per process
(:mod:`.package`). ``tests/test_prepared_workbook.py`` checks every cell, style and setting
against openpyxl's own workbook for the same agency.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
from decimal import Decimal
from functools import lru_cache
from xml.sax.saxutils import escape

from ..model.tables import ENTRY_INDICATORS, ENTRY_TASKS, GENERAL_ROWS, GENERAL_SHEET, META_SHEET
from .xlsx_print import LINE_PT, PADDING_PT, lines_of

MARK = re.compile(r"@@(\d+)@@")
_COMPILING = threading.Lock()
HEADER_ROW = ENTRY_INDICATORS.header_row
#: Sample rows of the prototype's indicator sheet, one per entry kind, in this order.
KINDS = ("so", "hang", "chu")
_ROW = re.compile(r'<row r="(\d+)"([^>]*?)(?:/>|>(.*?)</row>)', re.S)
_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_INLINE = re.compile(r"<is><t[^>]*>(.*?)</t></is>", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_DV = re.compile(r'(<dataValidation [^>]*?sqref=")([^"]*)(".*?</dataValidation>)', re.S)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_UNESCAPE = re.compile(r"&#(\d+);|&(amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape(xml_text: str) -> str:
    return _UNESCAPE.sub(lambda m: chr(int(m[1])) if m[1] else _NAMED[m[2]], xml_text)


class _Markers:
    """Numbered markers (``@@7@@``): short, so no sample text wraps, and plain ASCII in the XML."""

    def __init__(self):
        self.keys: list[tuple] = []

    def __call__(self, *key) -> str:
        self.keys.append(key)
        return f"@@{len(self.keys) - 1}@@"


def _sample(layout: dict, mark: _Markers) -> dict:
    """An entry context with a marker in every value that differs between agencies."""
    from ..model.tables import entry_indicators, indicator_table
    table = entry_indicators(indicator_table(layout["khai_bao_cot"], layout["nam"], layout["can_cu"]))
    rows = [{**{c.key: mark("ct", i, c.key) for c in table.columns}, "nhap": kind} for i, kind in enumerate(KINDS)]
    task = {c.key: mark("nv", 0, c.key) for c in ENTRY_TASKS.columns}
    return {**layout, "chi_tieu": rows, "nhiem_vu": [task], "ngay_bao_cao": "",
            **{k: mark(k) for k in ("ten_co_quan", "tham_chieu", "ke_hoach", "co_quan", "ban_ke_hoach",
                                    "kho_khan", "de_xuat")}}


#: The context keys that shape the workbook beyond its rows and texts.
LAYOUT = ("nam", "khai_bao_cot", "can_cu", "nhan_khoang")


def layout_of(ctx: dict) -> str:
    return json.dumps({k: ctx.get(k) for k in LAYOUT}, sort_keys=True, ensure_ascii=False)


class _Sheet:
    """One worksheet of the prototype, split into what stays and what is filled per agency."""

    def __init__(self, xml: str, mark: _Markers, sheet_key: str | None, fitted: bool = True):
        self.fitted = fitted            # the writer fits this sheet's row heights to its texts
        self._base: dict[int, float | None] = {}
        self._widths: dict[str, float] = {}
        self.compiled = False
        start, end = xml.index("<sheetData>") + len("<sheetData>"), xml.index("</sheetData>")
        self.head, self.tail = xml[:start], xml[end:]
        self.widths = {int(m["min"]): float(m["width"]) for m in
                       (dict(_ATTR.findall(c)) for c in re.findall(r"<col [^>]*/>", self.head))}
        self.spans = {}
        for ref in re.findall(r'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"/>', self.tail):
            if ref[1] == ref[3]:
                self.spans[int(ref[1])] = (_col(ref[0]), _col(ref[2]))
        self.rows = []        # (row number, attributes, [(column, attrs, content, marker key or None)])
        for m in _ROW.finditer(xml[start:end]):
            cells = []
            for c in _CELL.finditer(m[3] or ""):
                content = c[4] or ""
                text = _INLINE.search(content)
                key = None
                if text and MARK.search(text[1]):
                    key = [mark.keys[int(n)] for n in MARK.findall(text[1])], text[1]
                cells.append((c[1], c[3], content, key))
            self.rows.append((int(m[1]), m[2], cells))
        self.validations = [(m[1], m[2].split(), m[3]) for m in _DV.finditer(self.tail)]
        self.sheet_key = sheet_key      # "chi_tieu"/"nhiem_vu": its rows after the header repeat per item

    def compile(self) -> None:
        """Work out once what every agency's fill needs: which rows never change (kept as finished
        XML), and for the others each cell's style, validations and how its value is written."""
        self.template_rows = [r for r, _, _ in self.rows if self.sheet_key and r > HEADER_ROW]
        self.attrs = {r: re.sub(r' (ht|customHeight)="[^"]*"', "", a) for r, a, _ in self.rows}
        self.dv_of = {}
        for i, (_, refs, _) in enumerate(self.validations):
            for ref in refs:
                self.dv_of.setdefault(ref, []).append(i)
        # where each agency's own validation ranges and last row go, found once
        m = re.search(r"<dataValidations .*?</dataValidations>", self.tail, re.S)
        self._validations_at = m.span() if m else None
        m = re.search(r'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"/>', self.head)
        self._head_around_last = (self.head[:m.start(1)], self.head[m.end(1):]) if m else None
        self.cells = {}         # sample row -> [(col, attrs, content, style, dv ids, how, static text)]
        self.static = {}        # row -> its finished XML, for rows the same for every agency
        for r, _, cells in self.rows:
            spec, fixed = [], r not in self.template_rows
            for col, cattrs, content, key in cells:
                text = _INLINE.search(content)
                if key is None:
                    how = "copy" if r not in self.template_rows else "blank"
                elif len(key[0]) == 1 and key[1] == f"@@{MARK.search(key[1])[1]}@@":
                    ref = key[0][0]
                    # a figure is a number only where the writer makes it one: «so» rows' results
                    how = ("value", ref, ref[::2] == ("ct", "uoc") and ref[1] == KINDS.index("so"))
                else:
                    how = ("text", key[0], key[1])
                fixed &= how == "copy" and not self.dv_of.get(f"{col}{r}")
                spec.append((col, cattrs, content, _style(cattrs), self.dv_of.get(f"{col}{r}", ()), how,
                             _unescape(text[1]) if text else None))
            self.cells[r] = spec
            if fixed and not self.typed_cells(r):
                self.static[r] = self._row_xml(r, r, {}, {})
        self.compiled = True

    def typed_cells(self, r: int) -> bool:
        """Whether row ``r`` holds a cell filled by position (the report date), not by marker."""
        return self.sheet_key is None and any(f"{col}{r}" == _date_cell() for col, *_ in self.cells[r])

    def _row_xml(self, r: int, src: int, vals: dict, dv_cells: dict) -> str:
        cells_xml, texts = [], {}
        for col, cattrs, content, style, dvs, how, static_text in self.cells[src]:
            coord = f"{col}{r}"
            for i in dvs:
                dv_cells[i].append(coord)
            if how == "copy":
                value = _typed(vals.get(("cell", coord))) if vals else None
                if value is None:
                    cells_xml.append(f'<c r="{coord}"{cattrs}>{content}</c>' if content
                                     else f'<c r="{coord}"{cattrs}/>')
                    if static_text is not None:
                        texts[col] = static_text
                    continue
            elif how == "blank":
                value = None
            elif how[0] == "value":
                value = _typed(vals.get(how[1]), numeric=how[2])
            else:
                refs, template = how[1], how[2]
                value = _Raw(MARK.sub(lambda m: _xml(str(vals.get(_key_of(refs, template, m), ""))), template))
            cells_xml.append(_cell(coord, style, value))
            if isinstance(value, (str, _Raw)):
                texts[col] = value if not isinstance(value, _Raw) else _unescape(value)
        height = self._height(r, src, texts)
        row_attrs = self.attrs[src] + (f' ht="{height}" customHeight="1"' if height else "")
        return (f'<row r="{r}"{row_attrs}>' + "".join(cells_xml) + "</row>" if cells_xml
                else f'<row r="{r}"{row_attrs}/>')

    def fill(self, values: dict, rows: list[dict], kinds: list[int]) -> tuple[str, int]:
        """The sheet's XML for one agency, and its last row."""
        if not self.compiled:
            with _COMPILING:        # the web app fills workbooks from several threads
                if not self.compiled:
                    self.compile()
        out, dv_cells = [], {i: [] for i in range(len(self.validations))}
        plan: list[tuple[int, int, dict]] = []      # (row number, sample row number, item values)
        for r, _, _ in self.rows:
            if r not in self.template_rows:
                plan.append((r, r, values))
        key = self.sheet_key[:2] if self.sheet_key else ""
        for i, (item, kind) in enumerate(zip(rows, kinds)):
            vals = dict(values)
            vals.update(((key, kind, k), v) for k, v in item.items())
            plan.append((HEADER_ROW + 1 + i, self.template_rows[kind], vals))
        plan.sort(key=lambda p: p[0])
        last = 0
        for r, src, vals in plan:
            static = self.static.get(src) if r == src else None
            out.append(static if static is not None else self._row_xml(r, src, vals, dv_cells))
            last = max(last, r)
        if self.sheet_key:
            last = max(last, HEADER_ROW + 1)     # the frozen pane's first cell counts, as openpyxl counts it
        tail = self.tail
        if self.validations and self._validations_at:
            kept = [f"{a}{' '.join(dv_cells[i])}{b}" for i, (a, _, b) in enumerate(self.validations) if dv_cells[i]]
            block = f'<dataValidations count="{len(kept)}">' + "".join(kept) + "</dataValidations>" if kept else ""
            tail = tail[:self._validations_at[0]] + block + tail[self._validations_at[1]:]
        head = self.head
        if self._head_around_last:
            head = f"{self._head_around_last[0]}{max(last, 1)}{self._head_around_last[1]}"
        return head + "".join(out) + tail, max(last, 1)

    def _height(self, r: int, src: int, texts: dict[str, str]) -> float | None:
        """As :func:`~kehoach_docs.render.xlsx_print.fit_rows`: the writer's own height, or the
        height the wrapped texts need, whichever is taller."""
        if not self.fitted:
            return self.base_height(src)
        lines = max([1] + [lines_of(text, self._width(r, col)) for col, text in texts.items()])
        base = self.base_height(src)
        need = math.ceil(lines * LINE_PT + PADDING_PT) if lines > 1 else None
        return max(base or 0, need or 0) or None

    def base_height(self, src: int) -> float | None:
        """A height the writer set itself (not the one fitted to the sample's own texts), or None."""
        if src not in self._base:       # asked for every row of every agency: worked out once
            self._base[src] = self._base_height(src)
        return self._base[src]

    def _base_height(self, src: int) -> float | None:
        attrs, cells = next((a, c) for r, a, c in self.rows if r == src)
        m = re.search(r' ht="([^"]+)"', attrs)
        if not m:
            return None
        if not self.fitted:
            return float(m[1])
        texts = {col: _unescape(t[1]) for col, _, content, _ in cells if (t := _INLINE.search(content))}
        lines = max([1] + [lines_of(t, self._width(src, col)) for col, t in texts.items()])
        fitted = math.ceil(lines * LINE_PT + PADDING_PT) if lines > 1 else None
        return None if fitted is not None and float(m[1]) == fitted else float(m[1])

    def _width(self, r: int, col: str) -> float:
        if r in self.spans:             # a row with merged cells (the prototype's own): as it is
            return self._column_width(r, col)
        # any other row: the column's own width, asked for every text of every agency, so kept (by
        # column, not by row: an office that supports every task has thousands of rows)
        width = self._widths.get(col)
        if width is None:
            width = self._widths[col] = self._column_width(r, col)
        return width

    def _column_width(self, r: int, col: str) -> float:
        j, span = _col(col), self.spans.get(r)
        if span and span[0] == j:
            return sum(self.widths.get(c, 8.43) for c in range(span[0], span[1] + 1))
        return self.widths.get(j, 8.43)


class _Raw(str):
    """Text already escaped for XML (a sample text with the agency's values put in)."""


def _key_of(refs, template, m):
    return refs[[n for n in MARK.findall(template)].index(m[1])]


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _style(attrs: str) -> str:
    m = re.search(r' s="(\d+)"', attrs)
    return m[1] if m else "0"


def _xml(text: str) -> str:
    if _ILLEGAL.search(text):
        # as openpyxl refuses them: a control character cannot be written into a workbook
        raise ValueError(f"ký tự điều khiển không được phép trong ô Excel: {text[:40]!r}")
    return escape(text)


def _typed(value, numeric: bool = False):
    """A value as the writer stores it: blank as nothing, a figure typed as a number."""
    if value is None or value == "":
        return None
    if numeric and isinstance(value, str):
        from ..text.vn import parse_number
        n = parse_number(value)
        return n if n is not None else value
    return value


def _cell(coord: str, style: str, value) -> str:
    s = f' s="{style}"' if style != "0" else ""
    if value is None:
        return f'<c r="{coord}"{s}/>'
    if isinstance(value, _Raw):
        return f'<c r="{coord}"{s} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{coord}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)):
        return f'<c r="{coord}"{s} t="n"><v>{value}</v></c>'
    if isinstance(value, dt.date):
        from openpyxl.utils.datetime import to_excel
        return f'<c r="{coord}"{s} t="n"><v>{to_excel(value)}</v></c>'
    return f'<c r="{coord}"{s} t="inlineStr"><is><t xml:space="preserve">{_xml(str(value))}</t></is></c>'


class Prototype:
    """The workbook of one layout, ready to be filled for any agency."""

    def __init__(self, layout: str):
        from .package import shared, unpack
        from .xlsx_writers import sdk_font_order
        mark = _Markers()
        sample = _sample(json.loads(layout), mark)
        parts = unpack(_prototype_bytes(layout, sample))
        parts["xl/styles.xml"] = sdk_font_order(parts["xl/styles.xml"])
        self.parts = shared(parts)
        self.workbook = parts["xl/workbook.xml"].decode("utf-8")
        names = re.findall(r'<sheet [^>]*name="([^"]+)"', self.workbook)
        keys = {ENTRY_INDICATORS.sheet: "ct", ENTRY_TASKS.sheet: "nv"}
        self.sheets = {}
        for i, name in enumerate(names, start=1):
            part = f"xl/worksheets/sheet{i}.xml"
            self.sheets[part] = (i - 1, name, _Sheet(parts[part].decode("utf-8"), mark, keys.get(name),
                                                     fitted=name != META_SHEET))
        #: (start, end, sheet part) of each print area's last row number in workbook.xml, in order
        self.print_rows = []
        for part, (index, name, _) in self.sheets.items():
            quoted = re.escape(name.replace("'", "''"))
            m = re.search(rf'<definedName name="_xlnm.Print_Area" localSheetId="{index}">\'{quoted}\'!\$A\$1:\$[A-Z]+\$(\d+)',
                          self.workbook)
            if m:
                self.print_rows.append((m.start(1), m.end(1), part))
        self.print_rows.sort()

    def parts_for(self, ctx: dict) -> dict[str, bytes]:
        """Every part of the agency's workbook: the prototype's, with its sheets filled."""
        values = {(k,): ctx.get(k, "") for k in ("ten_co_quan", "tham_chieu", "ke_hoach", "co_quan",
                                                  "ban_ke_hoach", "kho_khan", "de_xuat")}
        parts = dict(self.parts)
        last_rows = {}
        for part, (index, name, sheet) in self.sheets.items():
            vals = dict(values)
            if name == GENERAL_SHEET and ctx.get("ngay_bao_cao"):
                vals[("cell", _date_cell())] = dt.date.fromisoformat(ctx["ngay_bao_cao"])
            if sheet.sheet_key == "ct":
                rows, kinds = ctx["chi_tieu"], [KINDS.index(r["nhap"]) for r in ctx["chi_tieu"]]
            elif sheet.sheet_key == "nv":
                rows, kinds = ctx["nhiem_vu"], [0] * len(ctx["nhiem_vu"])
            else:
                rows, kinds = [], []
            xml, last_rows[part] = sheet.fill(vals, rows, kinds)
            parts[part] = xml.encode("utf-8")
        pieces, pos = [], 0
        for start, end, part in self.print_rows:
            pieces += [self.workbook[pos:start], str(last_rows[part])]
            pos = end
        parts["xl/workbook.xml"] = ("".join(pieces) + self.workbook[pos:]).encode("utf-8")
        return parts


def _prototype_bytes(layout: str, sample: dict) -> bytes:
    """The prototype workbook for ``layout``, from the user's cache when this code made it before
    (so a command that only fills workbooks never imports openpyxl), else made and kept there."""
    import hashlib
    import io
    import zipfile

    from .. import build_id
    from ..atomic import write_atomic
    from ..user_cache import cache_home
    h = hashlib.sha256(f"{build_id()}\0{layout}".encode())
    path = cache_home() / "so-nhap" / f"{h.hexdigest()[:32]}.xlsx"
    try:
        data = path.read_bytes()
        if zipfile.is_zipfile(io.BytesIO(data)):     # a damaged cache file is made again
            return data
    except OSError:
        pass
    from .xlsx_result_entry import write_result_entry
    data = write_result_entry(sample)
    try:
        write_atomic(path, data)
    except OSError:         # a read-only home: made again next time, nothing else changes
        pass
    return data


def _date_cell() -> str:
    return next(f"B{row}" for row, key, _ in GENERAL_ROWS if key == "ngay_bao_cao")


@lru_cache(maxsize=8)
def prototype(layout: str) -> Prototype:
    return Prototype(layout)


def entry_parts(ctx: dict) -> dict[str, bytes]:
    """The parts of agency ``ctx``'s result-entry workbook (as :func:`write_result_entry` lays it out)."""
    return prototype(layout_of(ctx)).parts_for(ctx)
