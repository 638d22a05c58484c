"""Read a YAML file into plain data, and find the line of any value when a message needs it.

We build the data from the parser's events ourselves (PyYAML's safe rules for scalars) so we
can refuse aliases, deep nesting and duplicate keys as they come, and turn any YAML error into
a Vietnamese message that names the line, as MkDocs does for its configuration.
"""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path

import yaml

from ..problems import ERROR, WARNING, Problem, Problems, os_reason, rel
from ..located import Located
from ..untrusted_zip import file_problem
from ..text.hygiene import clean_text
from . import parse_cache

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


# libyaml parses ten times faster (a province's plan has thousands of rows); the pure-Python
# parser gives the same events where libyaml is not built in.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Refused(Exception):
    """Valid YAML that we do not read (an alias, nesting past :data:`MAX_DEPTH`, an impossible
    date), with its line."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        self.before: list[Problem] = []


_resolvers = threading.local()


def _resolve(value: str, implicit: tuple) -> str:
    """A plain scalar's tag by YAML 1.1's implicit rules (what the composer would give its node)."""
    r = getattr(_resolvers, "r", None)
    if r is None:
        r = _resolvers.r = yaml.resolver.Resolver()
    return r.resolve(yaml.ScalarNode, value, implicit)


@functools.lru_cache(maxsize=4096)
def _plain(value: str):
    """A plain, untagged scalar's value, which depends on its text alone: the keys and codes that
    repeat on every row («ten», «thoi_han», «TCKH») are resolved once. Every value it gives is
    immutable (a text, number, date, truth value or None), so sharing it is safe."""
    tag = _resolve(value, (True, False))
    return value if tag == _STR else _scalar(yaml.ScalarNode(tag, value, None, None, None))


_SHORT = 40                # texts up to this long are shared (see _Reader._shared)
_SKIP = object()           # the value of a duplicate key, or of a complex key: not read
_KEY_SKIPPED = object()    # a complex key is being skipped; its value comes next


class _Reader:
    """Plain data and the line of every value, built straight from the parser's events.

    The composer's node tree (a node, two marks and their dicts per value) would be built only
    to be walked once; a province's plan has over a hundred thousand values. Aliases are refused,
    as most configuration tools do: expanding ``*a`` nine times nine times over turns 60 KB into
    gigabytes, and a recursive one never ends; a plan has no need of them. Nesting is bounded
    so no later walk can exhaust the stack.
    """

    def __init__(self, file: str, where: bool = False, target: tuple | None = None):
        self.file = file
        self.where: dict[tuple, str] | None = {} if where else None     # the line of every path
        self.target = target        # only this path and its ancestors are located (then reading stops)
        self.problems: list[Problem] = []      # kept apart until the whole file has parsed
        self._lines: dict[int, str] = {}
        self._texts: dict[str, str] = {}

    def _shared(self, text: str) -> str:
        """One object for each short text read again and again (keys, units, codes, deadlines):
        a province's plan repeats them tens of thousands of times."""
        return self._texts.setdefault(text, text)

    def _line(self, event) -> str:
        n = event.start_mark.line + 1
        s = self._lines.get(n)
        if s is None:
            s = self._lines[n] = str(n)
        return s

    def read(self, text: str, loader) -> tuple[bool, object]:
        """(whether the file holds a document, its data)."""
        try:
            return self._read(text, loader)
        except Refused as exc:
            exc.before = self.problems      # what was found before it is reported with it
            raise

    def _read(self, text: str, loader) -> tuple[bool, object]:
        root, found, docs = None, False, 0
        # one frame per open list or mapping: [container, path, state]; a mapping's state is the
        # key whose value comes next, None while a key is awaited, or _SKIP / _KEY_SKIPPED
        stack: list[list] = []
        skipping = 0           # depth inside a subtree that is not read
        for event in yaml.parse(text, Loader=loader):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if skipping or self._unread(stack, event):
                    continue
                if stack and stack[-1][2] is None and isinstance(stack[-1][0], dict):
                    self._key(stack[-1], event)
                    continue
                if event.style in ("|", ">") and not event.value.strip():
                    # «ke_hoach: >1» is YAML's header of a block of lines, here with none: the figure would vanish
                    typed = text[event.start_mark.index:].split("\n", 1)[0].strip()
                    raise Refused(event.start_mark.line + 1, block_header(typed))
                value = self._place(stack, _scalar_of(event), event)
                if not stack:
                    root, found = value, True
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if len(stack) + skipping >= MAX_DEPTH:
                    raise Refused(event.start_mark.line + 1, f"các mục lồng nhau quá sâu (quá {MAX_DEPTH} cấp)")
                if skipping or self._unread(stack, event):
                    skipping += 1
                    continue
                value = {} if kind is yaml.MappingStartEvent else []
                path = self._path(stack)
                self._place(stack, value, event, path)
                if not stack:
                    root, found = value, True
                stack.append([value, path, None])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                if skipping:
                    skipping -= 1
                    if not skipping:     # after a skipped key comes its value, skipped too
                        stack[-1][2] = _SKIP if stack[-1][2] is _KEY_SKIPPED else None
                    continue
                stack.pop()
                if stack and isinstance(stack[-1][0], dict):
                    stack[-1][2] = None
            elif kind is yaml.AliasEvent:
                raise Refused(event.start_mark.line + 1,
                              f"không dùng bí danh YAML (*{event.anchor}); hãy ghi thẳng giá trị vào đây")
            elif kind is yaml.DocumentStartEvent:
                docs += 1
                if docs > 1:
                    raise yaml.composer.ComposerError("expected a single document in the stream", None,
                                                      "but found another document", event.start_mark)
        return found, root

    def _unread(self, stack, event) -> bool:
        """Whether the node ``event`` starts is left out: a key that is not a plain scalar, or the
        value of such a key or of a duplicate key."""
        if not stack or not isinstance(stack[-1][0], dict):
            return False
        frame = stack[-1]
        scalar = type(event) is yaml.ScalarEvent
        if frame[2] is None and not scalar:
            self.problems.append(Problem(ERROR, self.file, self._line(event), frame[1],
                                         "khóa phải là một chuỗi đơn giản"))
            frame[2] = _KEY_SKIPPED
            return True
        if frame[2] is _SKIP:
            if scalar:
                frame[2] = None
            return True
        return False

    def _key(self, frame, event) -> None:
        key = self._shared(str(_scalar_of(event)))
        if key in frame[0]:
            self.problems.append(Problem(ERROR, self.file, str(event.start_mark.line + 1), frame[1] + (key,),
                                         f"khóa «{key}» xuất hiện hai lần trong cùng một mục"))
            frame[2] = _SKIP
        else:
            frame[2] = key

    @staticmethod
    def _path(stack) -> tuple:
        """The path of the node about to be placed."""
        if not stack:
            return ()
        container, parent, key = stack[-1]
        return parent + ((key if isinstance(container, dict) else len(container)),)

    def _place(self, stack, value, event, path: tuple | None = None):
        """Put ``value`` (a string cleaned first) in its list or mapping, or nowhere (the document
        itself), and record its line; the value as placed."""
        if self.where is not None:
            path = self._path(stack) if path is None else path
            if self.target is None or self.target[:len(path)] == path:
                self.where[path] = self._line(event)
                if path == self.target:
                    raise _Found
        if isinstance(value, str):
            text, issues = clean_text(value)
            if issues:
                path = self._path(stack) if path is None else path
            for issue in issues:
                self.problems.append(Problem(ERROR if issue.level == "error" else WARNING, self.file,
                                             self._line(event), path, issue.message))
            value = self._shared(text) if len(text) <= _SHORT else text
        if stack:
            container = stack[-1][0]
            if isinstance(container, dict):
                container[stack[-1][2]] = value
                stack[-1][2] = None
            else:
                container.append(value)
        return value


_STR = "tag:yaml.org,2002:str"
#: The first characters with which a plain scalar may resolve to something other than a string.
_TYPED_FIRST = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)
#: A resolver for every first character (PyYAML has none) would rule the short way out.
_TEXT_BY_FIRST = None not in _TYPED_FIRST


def _scalar_of(event: yaml.ScalarEvent):
    """A scalar's value by PyYAML's safe rules, as the composer and constructor would give it."""
    tag = event.tag
    if tag is None or tag == "!":
        value = event.value
        # Most scalars are texts: quoted, or plain with a first character no implicit type starts
        # with. The resolver would say str, and the str constructor returns the value itself.
        if not event.implicit[0] or (_TEXT_BY_FIRST and value and value[0] not in _TYPED_FIRST):
            return value
        if tag is None and len(value) <= _SHORT:     # the ones that repeat; a long text is kept by no cache
            try:
                return _plain(value)
            except Exception:   # not kept: the long way below refuses it, naming its line
                pass
        tag = _resolve(value, event.implicit)
    if tag == _STR:
        return event.value
    try:
        return _scalar(yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style))
    except ValueError as exc:   # e.g. a date like 2024-02-31 that YAML itself parses
        raise Refused(event.start_mark.line + 1, f"giá trị YAML không hợp lệ: {exc}") from None
    except (AttributeError, KeyError, IndexError, TypeError):
        # PyYAML's own constructors fail this way on an explicit tag that does not fit its
        # value («!!bool x», «!!int ''», «!!timestamp abc»)
        raise Refused(event.start_mark.line + 1,
                      f"giá trị «{event.value}» không đọc được theo thẻ YAML {tag.replace('tag:yaml.org,2002:', '!!')}; "
                      "hãy bỏ thẻ này") from None


def _read(text: str, file: str) -> _Reader:
    refused = None
    if LOADER is not yaml.SafeLoader:
        reader = _Reader(file)
        try:
            reader.result = reader.read(text, LOADER)
            reader.loader = LOADER
            return reader
        except yaml.YAMLError as exc:
            refused = exc
    # A broken file (or one only the pure-Python parser reads, such as an escaped lone surrogate,
    # which hygiene then refuses): its marks and messages are the ones we translate.
    reader = _Reader(file)
    try:
        reader.result = reader.read(text, yaml.SafeLoader)
    except ValueError:      # an escape past Unicode's last character (\U00110000), which chr() refuses
        raise refused or yaml.scanner.ScannerError(None, None, _PAST_UNICODE, None) from None
    reader.loader = yaml.SafeLoader
    return reader


#: libyaml's words for an escape past U+10FFFF, which the pure-Python parser meets as a ValueError.
_PAST_UNICODE = "found invalid Unicode character escape code"


class _Found(Exception):
    """The path a location was asked for has been read."""


def _where_of(source: bytes, file: str, loader):
    """A function giving the line of every value of ``source`` (a file already read once, by
    ``loader``), or of one path and its ancestors, reading the file again each time it is asked."""
    def find(target: tuple | None) -> dict[tuple, str]:
        reader = _Reader(file, where=True, target=target)
        try:
            reader.read(source.decode("utf-8"), loader)
        except (_Found, yaml.YAMLError, Refused):
            pass
        return reader.where
    return find


def _reread_of(source: bytes, file: str, loader):
    """A function giving the data of ``source`` (a file already read once, by ``loader``) again."""
    return lambda: parse_cache.lookup(source) or _Reader(file).read(source.decode("utf-8"), loader)[1]


def read_yaml(path: Path, problems: Problems) -> Located | None:
    """Read ``path``; on failure add a located problem and return None."""
    file = rel(path)
    why = file_problem(path)      # a pipe would wait for a writer for good, a device never end
    if why:
        problems.add(Problem(ERROR, file, None, (), f"không đọc được tệp ({why})"))
        return None
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        problems.add(Problem(ERROR, file, None, (), f"không đọc được tệp ({os_reason(exc)})"))
        return None
    if len(raw) > MAX_BYTES:
        problems.add(Problem(ERROR, file, None, (), f"tệp quá lớn (hơn {MAX_BYTES} byte)"))
        return None
    try:
        text = raw.decode("utf-8-sig")  # a BOM from Notepad is harmless
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.add(Problem(ERROR, file, str(line), (),
                             "tệp không phải UTF-8; hãy lưu lại với bảng mã UTF-8"))
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    source = text.encode("utf-8")
    data = parse_cache.lookup(source)
    if data is not None:    # these bytes were read before, with no problem, by this very code
        return _located(data, source, file, LOADER)
    try:
        reader = _read(text, file)
    except Refused as exc:
        for p in exc.before:
            problems.add(p)
        problems.add(Problem(ERROR, file, str(exc.line), (), exc.message))
        return None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        problems.add(Problem(ERROR, file, str(line), (),
                             f"có ký tự điều khiển không hợp lệ U+{exc.character:04X}; hãy xóa ký tự này"
                             if isinstance(exc.character, int) else f"ký tự không hợp lệ: {exc}"))
        return None
    except yaml.constructor.ConstructorError as exc:
        line, what = _vi_yaml(exc)
        problems.add(Problem(ERROR, file, line, (), f"giá trị YAML không đọc được: {what}"))
        return None
    except yaml.MarkedYAMLError as exc:
        line, what = _vi_yaml(exc)
        problems.add(Problem(ERROR, file, line, (), f"cú pháp YAML sai: {what}"))
        return None
    except yaml.YAMLError as exc:
        problems.add(Problem(ERROR, file, None, (), f"cú pháp YAML sai: {exc}"))
        return None
    found, data = reader.result
    if not found:
        problems.add(Problem(ERROR, file, "1", (), "tệp rỗng; cần một bảng khóa: giá trị"))
        return None
    if not isinstance(data, dict):
        problems.add(Problem(ERROR, file, "1", (),
                             "nội dung tệp phải là một bảng khóa: giá trị, không phải danh sách "
                             "hay một giá trị đơn"))
        return None
    for p in reader.problems:
        problems.add(p)
    if not reader.problems and reader.loader is LOADER:
        parse_cache.store(source, data)
    return _located(data, source, file, reader.loader)


def _located(data: dict, source: bytes, file: str, loader) -> Located:
    return Located(data, file, find_where=_where_of(source, file, loader), reread=_reread_of(source, file, loader))


_QUOTE_IT = "nếu ký tự đó thuộc giá trị, hãy đặt cả giá trị trong dấu ngoặc kép"

#: PyYAML's problems (the pure-Python parser's words, which every broken file is read again with),
#: as patterns, and what they mean to a clerk; a pattern marked ``True`` is reported on the line
#: the construct began on, where the mend goes (an unclosed ``[`` or quote), not where it was found.
_YAML_VI = [
    (r"mapping values are not allowed here", False,
     "không được đặt «:» ở đây (thiếu dấu ngoặc kép quanh giá trị có dấu hai chấm?)"),
    (r"found character '\\t' that cannot start any token", False, "có ký tự Tab; YAML chỉ dùng dấu cách để thụt lề"),
    (r"found character '(.)' that cannot start any token", False,
     "giá trị không được bắt đầu bằng «{0}»; " + _QUOTE_IT),
    (r"could not find expected ':'", False, "thiếu dấu «:» sau khóa"),
    (r"found undefined alias", False, "dùng bí danh (*) chưa khai báo"),
    (r"expected <block end>, but found '-'", False, "thụt lề không thẳng hàng trước dấu «-»"),
    (r"expected <block end>, but found", False, "thụt lề không thẳng hàng"),
    (r"sequence entries are not allowed here", False, "không được đặt mục danh sách «-» ở đây (thụt lề sai?)"),
    (r"invalid indentation or unclosed '\[' or '\{'", False, "thụt lề sai, hoặc có dấu «[» hay «{» chưa đóng"),
    (r"expected ',' or '\]', but got", True,
     "danh sách mở bằng «[» ở dòng này chưa đóng bằng «]», hoặc thiếu dấu phẩy giữa các mục; "
     "nếu «[» thuộc giá trị, hãy đặt cả giá trị trong dấu ngoặc kép"),
    (r"expected ',' or '\}', but got", True,
     "bảng mở bằng «{{» ở dòng này chưa đóng bằng «}}», hoặc thiếu dấu phẩy giữa các mục; "
     "nếu «{{» thuộc giá trị, hãy đặt cả giá trị trong dấu ngoặc kép"),
    (r"found unexpected end of stream", True,
     "dấu ngoặc kép (hoặc ngoặc đơn) mở ở dòng này không được đóng cho đến hết tệp"),
    (r"expected escape sequence of \d+ hexadecimal numbers, but found", False,
     "trong dấu ngoặc kép, dấu «\\» mở đầu một ký tự thoát (\\x, \\u, \\U cần mã số sau nó); hãy viết «\\\\» "
     "cho một dấu «\\», hoặc đặt giá trị trong dấu ngoặc đơn '…'"),
    (r"found invalid Unicode character escape code", False,
     "trong dấu ngoặc kép, mã ký tự sau «\\U» (hay «\\u», «\\x») vượt quá mã Unicode lớn nhất (10FFFF); hãy viết "
     "«\\\\» cho một dấu «\\», hoặc đặt giá trị trong dấu ngoặc đơn '…'"),
    (r"found unknown escape character '(.*)'", False,
     "trong dấu ngoặc kép, «\\{0}» không phải ký tự thoát hợp lệ; hãy viết «\\\\» cho một dấu «\\», "
     "hoặc đặt giá trị trong dấu ngoặc đơn '…'"),
    (r"but found another document", False, "tệp chỉ được chứa một phần dữ liệu; hãy xóa dòng «---» thứ hai"),
    (r"expected the node content, but found '(.*)'", False, "ký tự «{0}» đứng sai chỗ; " + _QUOTE_IT),
    (r"expected a comment or a line break, but found '(.*)'", False,
     "còn ký tự thừa «{0}» sau giá trị (chẳng hạn sau dấu ngoặc kép đóng)"),
    (r"expected '<document start>', but found", False,
     "dòng bắt đầu bằng «%» là chỉ thị của YAML; nếu «%» thuộc nội dung, hãy đặt cả giá trị trong dấu ngoặc kép"),
    (r"could not determine a constructor for the tag '(.*)'", False,
     "thẻ YAML «{0}» không dùng được; nếu «!» thuộc giá trị, hãy đặt cả giá trị trong dấu ngoặc kép"),
]


def block_header(typed: str) -> str:
    """What a value ``typed`` beginning with ``>`` or ``|`` is to YAML, and how to write it as typed."""
    return (f"giá trị bắt đầu bằng «{typed[0]}» là dấu mở một khối nhiều dòng của YAML, nên không được đọc "
            f"như đã gõ; hãy đặt cả giá trị trong dấu ngoặc kép: \"{typed}\"")


def _vi_yaml(exc: yaml.MarkedYAMLError) -> tuple[str | None, str]:
    """The line to report ``exc`` on and its meaning in Vietnamese (PyYAML's own words, marked as
    such, where we have none)."""
    problem = exc.problem or str(exc)
    at, begun = exc.problem_mark or exc.context_mark, exc.context_mark
    if (exc.context or "").startswith("while scanning a block scalar") and begun:
        typed = (begun.buffer or "")[begun.pointer:].split("\n", 1)[0].strip().rstrip("\0")
        return str(begun.line + 1), block_header(typed if typed[:1] in ("|", ">") else ">1")
    on_line = True      # the message speaks of the line it is reported on
    for pattern, on_context, vi in _YAML_VI:
        m = re.match(pattern, problem)
        if m:
            mark = begun if on_context and begun else at
            line, what, on_line = (str(mark.line + 1) if mark else None), vi.format(*m.groups()), not on_context
            break
    else:
        line, what = (str(at.line + 1) if at else None), f"{problem} (thông báo gốc của YAML)"
    # a file that parsed (a value YAML cannot construct) has every quote closed
    opened = None if isinstance(exc, yaml.constructor.ConstructorError) else _run_on_quote(exc.problem_mark)
    if opened is not None:
        quote = "ngoặc kép" if opened[1] == '"' else "ngoặc đơn"
        found = f" ({what})" if on_line else ""
        return str(opened[0] + 1), (f"dấu {quote} mở ở dòng này không được đóng trên dòng này, nên YAML đọc các "
                                    f"dòng sau đến dòng {at.line + 1} thành một giá trị rồi gặp lỗi ở đó{found}; "
                                    f"hãy thêm dấu {quote} đóng vào cuối giá trị")
    return line, what


def _run_on_quote(at) -> tuple[int, str] | None:
    """(line, quote) of a quoted value left unclosed, read on over the lines after it up to the next
    quote, on the problem's line, where the problem then showed (a clerk's missing closing quote):
    the last quoted value before the problem, if it spans lines, ends on the problem's line, and
    either swallowed a line that reads as a key or a list item, or ends in a quote standing where
    a value is due (a value wrapped over lines on purpose has neither); else None."""
    if at is None or not at.buffer:
        return None
    found = None
    try:
        for token in yaml.scan(at.buffer.rstrip("\0")[:at.index], Loader=LOADER):   # libyaml: fast
            if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'"):
                found = token
    except (yaml.YAMLError, ValueError):     # ValueError: the pure-Python scanner's, past U+10FFFF
        pass
    if found is None or found.end_mark.line != at.line or found.start_mark.line == at.line:
        return None
    swallowed = at.buffer[found.start_mark.index:found.end_mark.index - 1].split("\n")[1:]
    if not (any(_KEY_LINE.match(line) for line in swallowed) or _VALUE_DUE.search(swallowed[-1])):
        return None
    return found.start_mark.line, found.style


#: A line of a mapping or a list (``  cap: huyện``, ``- ma: VP``), as no wrapped text reads.
_KEY_LINE = re.compile(r"\s*(?:-\s+)?[^\s:\"'#-][^:\"'#]*:(?:\s|$)|\s*-\s")
#: What a quote stands after where it opens a value: «key:», «-», «,», «[», «{» or only spaces.
_VALUE_DUE = re.compile(r"(?:^|^\s*-|:|,|\[|\{)\s*$")
