"""Check .docx templates before a batch runs, and say where in Word a problem is.

Word splits text into runs as it pleases (spell-check marks, revision ids, a changed
font). docxtpl joins a tag split across runs, but if the pieces carry different
formatting the result is ambiguous, so we ask the clerk to retype the tag. Smart quotes
typed by AutoCorrect inside a tag, tags broken across paragraphs, Jinja syntax errors
and variables the data does not provide are reported with the paragraph or table cell.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from jinja2 import TemplateSyntaxError, meta
from lxml import etree

from .text.excerpt import excerpt
from .problems import ERROR, InvalidInput, Problem, Problems, rel

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TAG = re.compile(r"\{[{%#].*?[}%#]\}", re.S)
SMART = re.compile("[“”‘’]")
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024


def _where(p, body_paras: dict) -> str:
    tc = next((a for a in p.iterancestors(W + "tc")), None)
    if tc is None:
        return f"đoạn {body_paras.get(p, '?')}"
    tr = tc.getparent()
    tbl = tr.getparent()
    tables = [t for t in p.getroottree().iter(W + "tbl")]
    return (f"bảng {tables.index(tbl) + 1}, dòng {list(tbl.iterchildren(W + 'tr')).index(tr) + 1}, "
            f"cột {list(tr.iterchildren(W + 'tc')).index(tc) + 1}")


def _runs(p):
    for r in p.iter(W + "r"):
        text = "".join(t.text or "" for t in r.iter(W + "t"))
        rpr = r.find(W + "rPr")
        fmt = b"" if rpr is None else etree.tostring(rpr)
        # revision ids and spell-check marks do not change formatting
        fmt = re.sub(rb'\s?w:rsid\w*="[^"]*"', b"", fmt)
        yield text, fmt


def _excerpt(text: str) -> str:
    return excerpt(text, 60)


def lint_part(xml: bytes, file: str, part: str, problems: Problems) -> None:
    """Report split, smart-quoted and broken tags in one XML part of a template."""
    root = etree.fromstring(xml)
    paras = list(root.iter(W + "p"))
    numbering = {p: i for i, p in enumerate(paras, start=1)}
    for p in paras:
        runs = list(_runs(p))
        text = "".join(t for t, _ in runs)
        if "{" not in text and "}" not in text:
            continue
        where = f"{part}: {_where(p, numbering)}"
        bounds, pos = [], 0
        for t, fmt in runs:
            bounds.append((pos, pos + len(t), fmt))
            pos += len(t)
        for m in TAG.finditer(text):
            fmts = {fmt for a, b, fmt in bounds if a < m.end() and b > m.start() and b > a}
            if len(fmts) > 1:
                problems.add(Problem(ERROR, file, where, (),
                    f"thẻ «{_excerpt(m.group())}» bị Word tách thành nhiều đoạn có định dạng khác "
                    "nhau; hãy xóa và gõ lại cả thẻ một lần, cùng một định dạng"))
            if SMART.search(m.group()):
                problems.add(Problem(ERROR, file, where, (),
                    f"thẻ «{_excerpt(m.group())}» có dấu nháy cong (“ ” ‘ ’) do Word tự sửa; hãy "
                    "dùng dấu nháy thẳng \" hoặc ' (tắt AutoCorrect «Smart quotes»)"))
        stripped = TAG.sub("", text)
        if re.search(r"\{[{%]|[}%]\}", stripped):
            problems.add(Problem(ERROR, file, where, (),
                f"thẻ chưa đóng hoặc bị ngắt sang đoạn khác: «{_excerpt(text)}»"))


def check_template(path: Path, context_keys: set[str] | None = None) -> Problems:
    """All problems of one template; an unreadable file is one problem, not an exception."""
    from .render.docx_engine import make_env, prepared

    problems = Problems()
    file = rel(path)
    if not path.exists():
        problems.add(Problem(ERROR, file, None, (), "không có tệp mẫu này"))
        return problems
    if not zipfile.is_zipfile(path):
        problems.add(Problem(ERROR, file, None, (), "tệp mẫu không phải tệp Word .docx (không phải zip)"))
        return problems
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
            if total > MAX_TEMPLATE_BYTES * 5:
                problems.add(Problem(ERROR, file, None, (), "tệp mẫu giải nén ra quá lớn"))
                return problems
            names = [n for n in z.namelist() if re.match(r"^word/(document|header\d*|footer\d*)\.xml$", n)]
            if "word/document.xml" not in names:
                problems.add(Problem(ERROR, file, None, (), "tệp .docx thiếu word/document.xml"))
                return problems
            for name in names:
                lint_part(z.read(name), file, name.split("/")[-1], problems)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError) as exc:
        problems.add(Problem(ERROR, file, None, (), f"tệp mẫu hỏng: {exc}"))
        return problems
    if problems.errors:
        return problems
    env = make_env()
    try:
        # the build's own cached copy: checking does not prepare the template a second time
        tpl = prepared(str(path))
    except TemplateSyntaxError as exc:
        problems.add(Problem(ERROR, file, None, (), f"cú pháp thẻ sai: {exc.message}"))
        return problems
    except Exception as exc:  # docxtpl/lxml on a damaged part
        problems.add(Problem(ERROR, file, None, (), f"không đọc được mẫu: {exc}"))
        return problems
    if context_keys is not None:
        for name, src in tpl.sources.items():
            unknown = meta.find_undeclared_variables(env.parse(src)) - context_keys
            for var in sorted(unknown):
                line = next((i for i, l in enumerate(src.splitlines(), 1) if re.search(
                    r"[{%][^}%]*\b" + re.escape(var) + r"\b", l)), None)
                where = name.split("/")[-1] + (f": {_line_excerpt(src, line)}" if line else "")
                problems.add(Problem(ERROR, file, where, (),
                    f"mẫu dùng biến «{var}» mà dữ liệu không có; các biến có sẵn: "
                    f"{', '.join(sorted(context_keys))}"))
    return problems


def _line_excerpt(src: str, line: int) -> str:
    text = re.sub(r"<[^>]+>", "", src.splitlines()[line - 1])
    return f"đoạn «{_excerpt(text)}»"


def syntax_problem(path: Path, exc: TemplateSyntaxError) -> Problem:
    return Problem(ERROR, rel(path), None, (), f"cú pháp thẻ sai: {exc.message}")


def check_templates(paths: list[Path], context_keys: dict[Path, set[str]] | None = None) -> None:
    """Check each template (against the keys of its context, when given); raise
    :class:`InvalidInput` before anything is written."""
    problems = Problems()
    for path in paths:
        keys = (context_keys or {}).get(path)
        try:
            problems.extend(check_template(path, keys))
        except TemplateSyntaxError as exc:
            problems.add(syntax_problem(path, exc))
    if problems.errors:
        raise InvalidInput(problems)
