"""Read a YAML file into plain data with the line of every value.

We compose the YAML node tree ourselves (PyYAML's safe constructors for scalars) so we
can record each node's line, refuse duplicate keys, and turn any YAML error into a
Vietnamese message that names the line, as MkDocs does for its configuration.
"""

from __future__ import annotations

import threading
from pathlib import Path

import yaml

from ..problems import ERROR, Problem, Problems, rel
from ..located import Located, clean_strings

MAX_BYTES = 5 * 1024 * 1024
#: Lists and mappings inside each other; the example plan needs 7, a deep section tree ~15.
MAX_DEPTH = 40


class _Constructor(yaml.constructor.SafeConstructor):
    pass


_constructors = threading.local()      # one per thread: the web app loads plans in several


def _scalar(node: yaml.Node):
    """A scalar's value by PyYAML's safe rules (one constructor reused, its memo emptied each time)."""
    c = getattr(_constructors, "c", None)
    if c is None:
        c = _constructors.c = _Constructor()
    try:
        return c.construct_object(node, deep=True)
    finally:
        c.constructed_objects.clear()
        c.recursive_objects.clear()


# libyaml composes ten times faster and in half the memory (a province's plan has thousands of
# rows); the pure-Python loader gives the same nodes where libyaml is not built in.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Refused(Exception):
    """Valid YAML that we do not read: an alias, or nesting past :data:`MAX_DEPTH`."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def _screen(text: str, loader=LOADER) -> None:
    """Walk the event stream (flat, no recursion) before composing a tree.

    Aliases are refused, as most configuration tools do: expanding ``*a`` nine times nine
    times over turns 60 KB into gigabytes, and a recursive one never ends; a plan has no
    need of them. Nesting is bounded so no later walk can exhaust the stack.
    """
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            raise Refused(event.start_mark.line + 1,
                          f"không dùng bí danh YAML (*{event.anchor}); hãy ghi thẳng giá trị vào đây")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(event.start_mark.line + 1,
                              f"các mục lồng nhau quá sâu (quá {MAX_DEPTH} cấp)")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _compose(text: str):
    try:
        _screen(text)
        return yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        if LOADER is yaml.SafeLoader:
            raise
    # A broken file: the pure-Python loader's marks and messages are the ones we translate.
    _screen(text, yaml.SafeLoader)
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _walk(node, path, where, file, problems):
    where[path] = str(node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.add(Problem(ERROR, file, str(key_node.start_mark.line + 1), path,
                                     "khóa phải là một chuỗi đơn giản"))
                continue
            key = str(_scalar(key_node))
            if key in out:
                problems.add(Problem(ERROR, file, str(key_node.start_mark.line + 1), path + (key,),
                                     f"khóa «{key}» xuất hiện hai lần trong cùng một mục"))
                continue
            out[key] = _walk(value_node, path + (key,), where, file, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(v, path + (i,), where, file, problems) for i, v in enumerate(node.value)]
    return _scalar(node)


def read_yaml(path: Path, problems: Problems) -> Located | None:
    """Read ``path``; on failure add a located problem and return None."""
    file = rel(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.add(Problem(ERROR, file, None, (), f"không đọc được tệp ({exc.strerror})"))
        return None
    if len(raw) > MAX_BYTES:
        problems.add(Problem(ERROR, file, None, (),
                             f"tệp quá lớn ({len(raw)} byte; tối đa {MAX_BYTES} byte)"))
        return None
    try:
        text = raw.decode("utf-8-sig")  # a BOM from Notepad is harmless
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.add(Problem(ERROR, file, str(line), (),
                             "tệp không phải UTF-8; hãy lưu lại với bảng mã UTF-8"))
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        node = _compose(text)
    except Refused as exc:
        problems.add(Problem(ERROR, file, str(exc.line), (), exc.message))
        return None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        problems.add(Problem(ERROR, file, str(line), (),
                             f"có ký tự điều khiển không hợp lệ U+{exc.character:04X}; hãy xóa ký tự này"
                             if isinstance(exc.character, int) else f"ký tự không hợp lệ: {exc}"))
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = str(mark.line + 1) if mark else None
        what = exc.problem or str(exc)
        problems.add(Problem(ERROR, file, line, (), f"cú pháp YAML sai: {_vi_yaml(what)}"))
        return None
    except yaml.YAMLError as exc:
        problems.add(Problem(ERROR, file, None, (), f"cú pháp YAML sai: {exc}"))
        return None
    if node is None:
        problems.add(Problem(ERROR, file, "1", (), "tệp rỗng; cần một bảng khóa: giá trị"))
        return None
    where: dict[tuple, str] = {}
    try:
        data = _walk(node, (), where, file, problems)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        problems.add(Problem(ERROR, file, str(mark.line + 1) if mark else None, (),
                             f"giá trị YAML không đọc được: {exc.problem}"))
        return None
    except ValueError as exc:  # e.g. a date like 2024-02-31 that YAML itself parses
        problems.add(Problem(ERROR, file, str(node.start_mark.line + 1), (),
                             f"giá trị YAML không hợp lệ: {exc}"))
        return None
    if not isinstance(data, dict):
        problems.add(Problem(ERROR, file, "1", (),
                             "nội dung tệp phải là một bảng khóa: giá trị, không phải danh sách "
                             "hay một giá trị đơn"))
        return None
    data = clean_strings(data, (), file, where, problems)
    return Located(data, file, where)


_YAML_VI = {
    "mapping values are not allowed here": "không được đặt «:» ở đây (thiếu dấu ngoặc kép quanh giá trị có dấu hai chấm?)",
    "found character '\\t' that cannot start any token": "có ký tự Tab; YAML chỉ dùng dấu cách để thụt lề",
    "could not find expected ':'": "thiếu dấu «:» sau khóa",
    "found undefined alias": "dùng bí danh (*) chưa khai báo",
    "expected <block end>, but found '<block mapping start>'": "thụt lề không thẳng hàng",
    "expected <block end>, but found '-'": "thụt lề không thẳng hàng trước dấu «-»",
}


def _vi_yaml(problem: str) -> str:
    for en, vi in _YAML_VI.items():
        if problem.startswith(en):
            return vi
    return f"{problem} (thông báo gốc của YAML)"
