"""Input text hygiene: NFC, legacy Vietnamese encodings (TCVN3, VNI), XML-forbidden characters.

Text pasted from old .VnTime or VNI-Times documents arrives as Latin-1 look-alikes
("Céng hßa", "Coäng hoøa"). We recognise it by the characters it leaves that real
Vietnamese never uses, convert it, and tell the clerk (a warning, never silently).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


# TCVN3 (ABC, .VnTime): one byte per letter. Lower-case table; .VnTimeH reuses the codes
# for capitals, so converted text comes out in lower case for those.
_TCVN3_SRC = (
    "µ¸¶·¹" "¨»¾¼½Æ" "©ÇÊÈÉË" "®" "ÌÐÎÏÑ" "ªÒÕÓÔÖ" "×ÝØÜÞ" "ßãáâä" "«åèæçé" "¬êíëìî"
    "ïóñòô" "\u00adõøö÷ù" "úýûüþ" "¡¢§£¤¥¦"
)
_TCVN3_DST = (
    "àáảãạ" "ăằắẳẵặ" "âầấẩẫậ" "đ" "èéẻẽẹ" "êềếểễệ" "ìíỉĩị" "òóỏõọ" "ôồốổỗộ" "ơờớởỡợ"
    "ùúủũụ" "ưừứửữự" "ỳýỷỹỵ" "ĂÂĐÊÔƠƯ"
)
assert len(_TCVN3_SRC) == len(_TCVN3_DST)
_TCVN3 = str.maketrans(_TCVN3_SRC, _TCVN3_DST)

# VNI-Times: base letter followed by a mark character.
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_HATS = {"â": "\u0302", "ê": "\u0306"}  # circumflex (a, e, o) and breve (a)
# Combined hat+tone marks of VNI: after a/e/o, 'á à å ã ä' mean circumflex+tone; after a,
# 'é è ú ü ë' mean breve+tone.
_VNI_HAT_TONE = {
    "á": ("\u0302", "\u0301"), "à": ("\u0302", "\u0300"), "å": ("\u0302", "\u0309"),
    "ã": ("\u0302", "\u0303"), "ä": ("\u0302", "\u0323"),
}
_VNI_BREVE_TONE = {
    "é": ("\u0306", "\u0301"), "è": ("\u0306", "\u0300"), "ú": ("\u0306", "\u0309"),
    "ü": ("\u0306", "\u0303"), "ë": ("\u0306", "\u0323"),
}
# Single characters of VNI that stand for a whole letter.
_VNI_LETTERS = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}

_VN_LETTERS = set(
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữự"
    "vxyỳýỷỹỵfjwz"
)
_VN_LETTERS |= {c.upper() for c in _VN_LETTERS}
_OK_PUNCT = set("–—‘’“”…•°±×÷§©®«»€·\u00a0")

# XML 1.0 forbids these (tab, LF and CR are allowed).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# Unicode "format" characters (category Cf): bidi overrides, zero-width spaces and joiners,
# soft hyphens. Invisible on paper, they can disguise text (U+202E prints it backwards), and
# Vietnamese never needs them. Written out rather than computed at import, which would cost
# every command a pass over all code points; a test keeps the list equal to unicodedata's.
FORMAT_CHARS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)

#: What one Excel cell holds (ECMA-376 limit, enforced by Excel); openpyxl would cut the rest.
MAX_CELL_TEXT = 32767


def _number(n: int) -> str:
    from .vn import format_number      # babel: loaded only when a text is too long, not at start-up
    return format_number(n)


def escape_invisible(text: str) -> str:
    """``text`` with control, format and surrogate characters shown as ``U+XXXX`` (for messages)."""
    return _SHOW.sub(lambda m: f"U+{ord(m.group()):04X}", text)


_SHOW = re.compile(_XML_FORBIDDEN.pattern[:-1] + FORMAT_CHARS.pattern[1:-1] + "\x7f-\x9f\n\r\t]")


def _foreign(text: str) -> int:
    """How many characters are neither ASCII nor Vietnamese letters nor usual punctuation."""
    return 0 if text.isascii() else len(_FOREIGN.findall(text))


# every string of a plan passes here: one regular expression, not a loop over characters
_FOREIGN = re.compile("[^\x00-\x7f" + "".join(re.escape(c) for c in sorted(_VN_LETTERS | _OK_PUNCT)) + "]")


def from_tcvn3(text: str) -> str:
    """Convert TCVN3 (.VnTime) look-alike text to Unicode."""
    return text.translate(_TCVN3)


def from_vni(text: str) -> str:
    """Convert VNI-Times look-alike text to Unicode (NFC)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        nxt = text[i + 1] if i + 1 < len(text) else ""
        low = c.lower()
        upper = c.isupper()
        nlow = nxt.lower()
        if low in "aeouy" and nlow in _VNI_TONES:
            out.append(c + _VNI_TONES[nlow]); i += 2; continue
        if low in "aeo" and nlow in _VNI_HATS and not (low != "a" and nlow == "ê"):
            mark = _VNI_HATS[nlow]
            out.append(c + mark); i += 2; continue
        if low in "aeo" and nlow in _VNI_HAT_TONE:
            out.append(c + "".join(_VNI_HAT_TONE[nlow])); i += 2; continue
        if low == "a" and nlow in _VNI_BREVE_TONE:
            out.append(c + "".join(_VNI_BREVE_TONE[nlow])); i += 2; continue
        if low in ("ô", "ö") and nlow in _VNI_TONES:  # ơ/ư followed by a tone
            base = "ơ" if low == "ô" else "ư"
            out.append((base.upper() if upper else base) + _VNI_TONES[nlow]); i += 2; continue
        if low in _VNI_LETTERS:
            rep = _VNI_LETTERS[low]
            out.append(rep.upper() if upper else rep); i += 1; continue
        out.append(c); i += 1
    return unicodedata.normalize("NFC", "".join(out))


@dataclass(frozen=True)
class TextIssue:
    """Something found in one text value: ``level`` is ``"error"`` or ``"warning"``."""

    level: str
    message: str


_VNI_MARKS = re.compile("[aeiouyAEIOUY][øûõïäåëüâêùØÛÕÏÄÅËÜÂÊÙ]|[ñÑ][aeiouyAEIOUY]")
_TCVN3_ONLY = set(_TCVN3_SRC) - _VN_LETTERS - set("øûõïäåëü")


def detect_legacy(text: str) -> str | None:
    """Return ``"TCVN3"`` or ``"VNI"`` if ``text`` looks like that legacy encoding, else None."""
    before = _foreign(text)
    if before < 2:
        return None
    vni = len(_VNI_MARKS.findall(text))
    tcvn3 = sum(1 for c in text if c in _TCVN3_ONLY)
    name, conv = ("VNI", from_vni) if vni > tcvn3 else ("TCVN3", from_tcvn3)
    converted = conv(text)
    # Converting must explain nearly every strange character, and give Vietnamese words: «Jürgen
    # Müller» is a foreign name (it would become «Jỹrgen Mỹller»), not TCVN3.
    if _foreign(converted) * 4 > before or not _reads_as_vietnamese(text, converted):
        return None
    return name


_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
                       r"[aăâeêioôơuưy]{1,3}(ch|ng|nh|[cmnpt])?")


def _syllable(word: str) -> bool:
    """Whether ``word`` is built as a Vietnamese syllable (initial, vowels, final), tones aside."""
    bare = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if c not in _TONE_MARKS)
    return bool(_SYLLABLE.fullmatch(unicodedata.normalize("NFC", bare)))


def _reads_as_vietnamese(before: str, after: str) -> bool:
    """Most words the conversion changed are Vietnamese syllables."""
    changed = [re.sub(r"\W", "", b) for a, b in zip(before.split(), after.split()) if a != b]
    changed = [w for w in changed if w and not w.isdigit()]
    return not changed or sum(map(_syllable, changed)) >= 0.8 * len(changed)


def clean_text(text: str) -> tuple[str, list[TextIssue]]:
    """NFC-normalise ``text``, convert legacy encodings, and report forbidden characters."""
    issues: list[TextIssue] = []
    text = unicodedata.normalize("NFC", text)
    legacy = detect_legacy(text)
    if legacy:
        converted = from_tcvn3(text) if legacy == "TCVN3" else from_vni(text)
        converted = unicodedata.normalize("NFC", converted)
        issues.append(TextIssue(
            "warning",
            f"văn bản có vẻ gõ bằng bảng mã {legacy}, đã chuyển sang Unicode: "
            f"«{_excerpt(text)}» → «{_excerpt(converted)}»; hãy kiểm tra lại",
        ))
        text = converted
    invisible = FORMAT_CHARS.findall(text)
    if invisible:
        codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in invisible))
        text = FORMAT_CHARS.sub("", text)
        issues.append(TextIssue(
            "warning",
            f"đã xóa {len(invisible)} ký tự định dạng vô hình ({codes}) có thể làm sai lệch cách hiển thị "
            f"chữ: «{_excerpt(text)}»",
        ))
    if len(text) > MAX_CELL_TEXT:
        issues.append(TextIssue(
            "error",
            f"dài {_number(len(text))} ký tự, quá {_number(MAX_CELL_TEXT)} ký tự mà một ô Excel "
            "chứa được; hãy rút gọn hoặc tách thành nhiều mục",
        ))
    bad = _XML_FORBIDDEN.search(text)
    if bad:
        pos = bad.start()
        issues.append(TextIssue(
            "error",
            f"có ký tự điều khiển không hợp lệ U+{ord(bad.group()):04X} ở vị trí {pos + 1} "
            f"(sau «{_excerpt(text[max(0, pos - 20):pos])}»); hãy xóa ký tự này",
        ))
        # The error stops the build; the placeholder only keeps later checks from choking on it.
        text = _XML_FORBIDDEN.sub("\ufffd", text)
    return text, issues


def _excerpt(text: str) -> str:
    from .excerpt import excerpt
    return excerpt(escape_invisible(text), 40, collapse=False)
