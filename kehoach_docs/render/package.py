"""Deterministic Office packages: fixed zip order and timestamps, fixed core properties,
and custom properties carrying the hashes an output was made from.

The same data, template and version give byte-identical files, so an unchanged
document is provably unchanged; ``kehoach info FILE`` reads the hashes back.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from typing import Iterable
from xml.sax.saxutils import escape, unescape


ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CUSTOM_PART = "docProps/custom.xml"
CORE_PART = "docProps/core.xml"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
_CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
PROP_PREFIX = "kehoach_"


def core_xml(title: str, timestamp: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>kehoach-docs</dc:creator>"
        "<cp:lastModifiedBy>kehoach-docs</cp:lastModifiedBy><cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{timestamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{timestamp}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode("utf-8")


def custom_xml(props: dict[str, str]) -> bytes:
    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i}" name="{escape(PROP_PREFIX + k)}">'
        f"<vt:lpwstr>{escape(v)}</vt:lpwstr></property>"
        for i, (k, v) in enumerate(sorted(props.items()), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{items}</Properties>"
    ).encode("utf-8")


def ensure_property_parts(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Declare core and custom property parts in [Content_Types].xml and _rels/.rels (once)."""
    parts = dict(parts)
    ct = parts["[Content_Types].xml"].decode("utf-8")
    for name, ctype in ((CORE_PART, _CORE_TYPE), (CUSTOM_PART, _CUSTOM_TYPE)):
        if f'PartName="/{name}"' not in ct:
            ct = ct.replace("</Types>", f'<Override PartName="/{name}" ContentType="{ctype}"/></Types>')
    parts["[Content_Types].xml"] = ct.encode("utf-8")
    rels = parts["_rels/.rels"].decode("utf-8")
    for name, rtype, rid in ((CORE_PART, _CORE_REL, "rIdKhCore"), (CUSTOM_PART, _CUSTOM_REL, "rIdKhCustom")):
        if f'Target="{name}"' not in rels and f'Target="/{name}"' not in rels:
            rels = rels.replace("</Relationships>",
                                f'<Relationship Id="{rid}" Type="{rtype}" Target="{name}"/></Relationships>')
    parts["_rels/.rels"] = rels.encode("utf-8")
    return parts


def pack(parts: dict[str, bytes | Deflated], title: str, timestamp: str, props: dict[str, str]) -> bytes:
    """Zip ``parts`` deterministically, with fresh core and custom property parts; the custom
    properties carry the package's seal (see :func:`seal`)."""
    parts = ensure_property_parts(parts)
    parts[CORE_PART] = core_xml(title, timestamp)
    names = ["[Content_Types].xml"] + sorted({*parts, CUSTOM_PART} - {"[Content_Types].xml"})
    packed = {name: _packed(parts[name]) for name in names if name != CUSTOM_PART}
    sealed = seal((name, crc, size) for name, (_, crc, size) in packed.items())
    packed[CUSTOM_PART] = _packed(custom_xml({**props, SEAL: sealed}))
    return _zip([(name, *packed[name]) for name in names])


#: The custom property (``kehoach_seal``) that tells a package kehoach made and no one changed.
SEAL = "seal"


def seal(parts: Iterable[tuple[str, int, int]]) -> str:
    """A fingerprint of a package's parts other than its custom properties, from each part's name,
    CRC-32 and size as its zip directory lists them: a file saved by Word or Excel (which rewrite
    the parts) no longer matches the seal its custom properties carry, while one left as kehoach
    wrote it does, and tells so without inflating a part, even where the run that wrote it was
    killed before recording it. In the zip's order: a package zipped again in another is not one
    kehoach wrote."""
    text = "".join(f"{name}\0{crc}\0{size}\n" for name, crc, size in parts if name != CUSTOM_PART)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# Most parts of a document (styles, theme, settings, headers) are the very same bytes objects in
# every document made from a template; deflating them once per process instead of once per
# document is most of the batch's speed. zipfile cannot take data already deflated, so the
# zip records (PKWARE APPNOTE 4.3, no zip64: parts are far below 4 GB) are written here.
# Only parts declared :func:`shared` are kept: a rendered part is seen once, and keeping the
# last few hundred of them would make a worker's memory grow with the plan.
_deflated: dict[int, tuple[bytes, bytes | None, int]] = {}
_CACHE_MIN, _CACHE_MAX = 2048, 256
_DOS_TIME, _DOS_DATE = 0, (ZIP_TIME[0] - 1980) << 9 | ZIP_TIME[1] << 5 | ZIP_TIME[2]


def shared(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Declare ``parts`` (a prepared template's or workbook's own) as reused as they are by many
    documents: each is deflated once per process. Returns ``parts``."""
    for data in parts.values():
        if len(data) >= _CACHE_MIN and id(data) not in _deflated:
            if len(_deflated) >= _CACHE_MAX:
                _deflated.clear()
            _deflated[id(data)] = (data, None, 0)     # holds ``data``, so its id stays unique
    return parts


def unshared_size(parts: dict[str, bytes | Deflated]) -> int:
    """The bytes ``parts`` hold beyond what is :func:`shared` (and so held anyway) or deflated already."""
    return sum(len(data) for data in parts.values() if isinstance(data, bytes) and id(data) not in _deflated)


#: Small parts (relationships, content types, settings) are often equal without being the same
#: object: those are looked up by their bytes.
_small: dict[bytes, tuple[bytes, int]] = {}
_SMALL_MAX = 1024


def deflate_raw(data: bytes) -> bytes:
    """``data`` deflated at level 6, as a zip entry holds it, with a window and a match table sized
    to it: zlib sets up (and clears) 256 kB for its default ones, which costs more than deflating
    the part itself for most of what changes between documents (properties, a workbook's sheets).
    A window wider than the part finds no more matches, so the output is as small."""
    c = _compressor(len(data))
    return c.compress(data) + c.flush()


#: zlib keeps this many bytes of look-ahead out of its window (MIN_LOOKAHEAD in deflate.h).
_LOOKAHEAD = 262
#: Parts at least this long get zlib's default (widest) window: the same compressor for any longer part.
_WIDEST = (1 << 15) - _LOOKAHEAD


def _compressor(size: int):
    """A level-6 raw deflate compressor for ``size`` bytes (see :func:`deflate_raw`)."""
    wbits = min(15, max(9, (size + _LOOKAHEAD).bit_length()))
    return zlib.compressobj(6, zlib.DEFLATED, -wbits, max(1, wbits - 7))


def _deflate(data: bytes) -> tuple[bytes, int]:
    if len(data) < _CACHE_MIN:
        hit = _small.get(data)
        if hit is None:
            hit = (deflate_raw(data), zlib.crc32(data))
            if len(_small) >= _SMALL_MAX:
                _small.clear()
            _small[data] = hit
        return hit
    hit = _deflated.get(id(data))
    if hit is not None and hit[0] is data and hit[1] is not None:
        return hit[1], hit[2]
    packed = deflate_raw(data)
    crc = zlib.crc32(data)
    if hit is not None and hit[0] is data:
        _deflated[id(data)] = (data, packed, crc)
    return packed, crc


class Deflated:
    """A part deflated block by block as it was produced, so it is never held whole; the same
    bytes in the zip as the whole part deflated at once (zlib's output does not depend on how
    its input is cut)."""

    __slots__ = ("packed", "crc", "size")

    def __init__(self, blocks: Iterable[bytes]):
        # held until the part is known to take the widest window, so that a short part gets the
        # compressor deflate_raw would give it whole, and so the same bytes
        c, held = None, []
        crc = size = 0
        out = []
        for b in blocks:
            crc = zlib.crc32(b, crc)
            size += len(b)
            if c is not None:
                out.append(c.compress(b))
                continue
            held.append(b)
            if size >= _WIDEST:
                c = _compressor(size)
                out.append(c.compress(b"".join(held)))
                held = []
        out.append(c.flush() if c is not None else deflate_raw(b"".join(held)))
        self.packed, self.crc, self.size = b"".join(out), crc, size


def _packed(data: bytes | Deflated) -> tuple[bytes, int, int]:
    """``data`` deflated, with its CRC-32 and size."""
    if isinstance(data, Deflated):
        return data.packed, data.crc, data.size
    packed, crc = _deflate(data)
    return packed, crc, len(data)


def _laid_out_as_written(infos: list[zipfile.ZipInfo], size: int) -> bool:
    """Whether a zip file of ``size`` bytes listing ``infos`` is exactly its records in the layout
    :func:`_zip` writes: each local record where the one before ends, without extra fields, then
    the directory, then its end record without a comment, and nothing else (no room is left)."""
    at = 0
    for i in infos:
        if i.header_offset != at or i.extra or i.comment:
            return False
        at += 30 + len(i.filename.encode("utf-8")) + i.compress_size
    return size == at + sum(46 + len(i.filename.encode("utf-8")) for i in infos) + 22


def _zip(records: list[tuple[str, bytes, int, int]]) -> bytes:
    """A deterministic zip (deflate, fixed 1980-01-01 timestamps, mode 0600) of ``(name, deflated
    bytes, CRC-32, size)`` records, in order."""
    out = io.BytesIO()
    central = []
    for name, packed, crc, size in records:
        raw = name.encode("utf-8")
        flags = 0 if raw.isascii() else 0x800
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, _DOS_TIME, _DOS_DATE, crc,
                              len(packed), size, len(raw), 0))
        out.write(raw)
        out.write(packed)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, flags, 8, _DOS_TIME, _DOS_DATE,
                                   crc, len(packed), size, len(raw), 0, 0, 0, 0, 0o600 << 16, offset) + raw)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


#: A custom property and its text; its name is read from the attributes in a second step, so the
#: scan stays linear on any input (one pattern for both took cubic time on a crafted part).
_PROP = re.compile(r"<property\s([^<>]*)>\s*<vt:lpwstr>([^<]*)</vt:lpwstr>")
_NAME = re.compile(r'(?:^|\s)name="([^"]*)"')
#: The custom properties part kehoach writes is a few hundred bytes: a larger one is not its own.
_CUSTOM_MAX = 64 * 1024


def read_properties(path) -> dict[str, str]:
    """The ``kehoach_*`` custom properties of an Office file (empty if none).

    The file may come from anywhere, so it goes through the foreign-zip guard and only
    the small properties part is inflated; damage raises :class:`UnsafeZip`.
    """
    return _read(path, 1024 * 1024)[0]


def is_sealed(path, place: str | None = None) -> bool:
    """Whether the Office file at ``path`` is exactly as kehoach wrote it: its parts match the seal
    its custom properties carry (see :func:`seal`) and its custom properties part is the very one
    those properties make (none added or changed); with ``place``, also that it was written as that
    output (:func:`place_of`), not another's copied there. No seal, or any damage, is a no."""
    from ..untrusted_zip import UnsafeZip
    try:
        props, parts, custom = _read(path, _CUSTOM_MAX)
    except UnsafeZip:
        return False
    if not parts or props.get(SEAL) != seal(parts) or (place is not None and props.get(PLACE) != place):
        return False
    expected = custom_xml(props)
    return custom == (zlib.crc32(expected), len(expected))


def place_of(plan: str, output: str) -> str:
    """What an output's ``kehoach_output`` property holds: its plan's name and its own name in the
    plan's output folder (``tien-lu-2024/bao-cao/VP.docx``)."""
    return f"{plan}/{output}"


#: The custom property naming the output a file was written as (see :func:`place_of`).
PLACE = "output"


def _read(path, limit: int) -> tuple[dict[str, str], list[tuple[str, int, int]], tuple[int, int] | None]:
    """The ``kehoach_*`` custom properties, each part's (name, CRC-32, size) as the zip lists them,
    and the custom properties part's (CRC-32, size). No parts where the file holds anything but its
    zip records laid out as :func:`_zip` lays them (bytes added before, between or after them)."""
    from ..untrusted_zip import UnsafeZip, open_zip, read_part
    with open_zip(path) as z:
        infos = z.infolist()
        size = os.fstat(z.fp.fileno()).st_size if hasattr(z.fp, "fileno") else -1
        parts = [(i.filename, i.CRC, i.file_size) for i in infos] if _laid_out_as_written(infos, size) else []
        custom = next(((i.CRC, i.file_size) for i in infos if i.filename == CUSTOM_PART), None)
        if custom is None:
            return {}, parts, None
        raw = read_part(z, CUSTOM_PART, limit=limit)
    try:
        xml = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsafeZip(f"phần «{CUSTOM_PART}» không phải văn bản UTF-8") from None
    props = {}
    for attributes, value in _PROP.findall(xml):
        name = _NAME.search(attributes)
        if name and name[1].startswith(PROP_PREFIX):
            props[unescape(name[1][len(PROP_PREFIX):])] = unescape(value)
    return props, parts, custom
