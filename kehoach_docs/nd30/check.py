"""The checkable rules of ND30 (§7 of ``nd30-layout-rules.md``), applied to any .docx.

Each finding has a severity, the rule number, where it is (paragraph number and an
excerpt of its text) and a sentence a clerk understands.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from ..text.excerpt import excerpt
from ..text.hygiene import detect_legacy
from ..text.vn import roman
from .docx_model import W, DocxView, Para, text_of
from .rules import SIZES, applies

LEGACY_FONTS = re.compile(r"^\.?(VnTime|VnTimeH|VNI-)", re.I)
TYPE_NAMES = {"KH": "KẾ HOẠCH", "BC": "BÁO CÁO", "QĐ": "QUYẾT ĐỊNH", "TTr": "TỜ TRÌNH",
              "CTr": "CHƯƠNG TRÌNH", "TB": "THÔNG BÁO", "HD": "HƯỚNG DẪN", "PA": "PHƯƠNG ÁN",
              "ĐA": "ĐỀ ÁN", "CT": "CHỈ THỊ", "NQ": "NGHỊ QUYẾT"}
SO = re.compile(r"^Số:\s*(?P<num>\S*?)\s*/(?P<kh>[A-Za-zĐđ]+)-(?P<body>[A-ZĐ0-9][A-Za-zĐđ0-9]*(?:-[A-ZĐ0-9][A-Za-zĐđ0-9]*)*)$")
DATE = re.compile(r"^(?P<place>[^,]+), ngày (?P<d>\S*)\s+tháng (?P<m>\S*)\s+năm (?P<y>\d{4})$")
QUOC_HIEU = re.compile(r"^CỘNG H(ÒA|OÀ) XÃ HỘI CHỦ NGHĨA VIỆT NAM$")
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
ARTICLE = re.compile(r"^Điều (\d+)\.")
KEM_THEO_QD = re.compile(r"^\(Kèm theo Quyết định số .*/QĐ-.* ngày .* tháng .* năm .* của .+\)$")
BASES = ("Căn cứ", "Thực hiện", "Theo đề nghị")
ROMAN = re.compile(r"^[IVXLC]+$")


@dataclass
class Finding:
    level: str          # "error" | "warning"
    rule: int
    where: str
    message: str

    def __str__(self):
        label = {"error": "LỖI", "warning": "cảnh báo", "note": "ghi chú"}[self.level]
        return f"[{label}] quy tắc {self.rule}, {self.where}: {self.message}"


def _excerpt(text: str) -> str:
    return excerpt(text, 50)


class Checker:
    def __init__(self, view: DocxView, shape: str | None = None):
        self.v = view
        self.shape = shape if shape is not None else detect_shape(view)
        self.findings: list[Finding] = []

    def add(self, level, rule, where, message):
        if applies(rule, self.shape):
            self.findings.append(Finding(level, rule, where, message))

    def at(self, para: Para | None) -> str:
        if para is None:
            return "toàn văn bản"
        return f"đoạn {para.index} «{_excerpt(para.text)}»"

    # -- 7.1 page setup --------------------------------------------------------
    def sections(self):
        body = self.v.body
        secs = [p.find(f"{W}pPr/{W}sectPr") for p in body.iter(W + "p")]
        secs = [s for s in secs if s is not None]
        last = body.find(W + "sectPr")
        return secs + ([last] if last is not None else [])

    def check_page(self):
        secs = self.sections()
        if not secs:
            self.add("error", 1, "toàn văn bản", "không có thiết lập trang (sectPr)")
            return
        for n, s in enumerate(secs, start=1):
            where = f"phần (section) {n}"
            sz = s.find(W + "pgSz")
            w, h = (int(sz.get(W + "w", 0)), int(sz.get(W + "h", 0))) if sz is not None else (0, 0)
            portrait = abs(w - 11906) <= 2 and abs(h - 16838) <= 2
            landscape = abs(w - 16838) <= 2 and abs(h - 11906) <= 2
            if not (portrait or landscape):
                self.add("error", 1, where, f"khổ giấy {w}×{h} twip không phải A4 (11906×16838)")
            if n == 1 and not portrait:
                self.add("error", 1, where, "trang đầu phải là khổ A4 đứng")
            mar = s.find(W + "pgMar")
            if mar is None:
                self.add("error", 2, where, "không có lề trang")
                continue
            m = {k: int(mar.get(W + k, 0)) for k in ("top", "bottom", "left", "right")}
            ranges = {"top": (1134, 1417, "trên", "20–25 mm"), "bottom": (1134, 1417, "dưới", "20–25 mm"),
                      "left": (1701, 1984, "trái", "30–35 mm"), "right": (850, 1134, "phải", "15–20 mm")}
            for k, (lo, hi, name, mm) in ranges.items():
                if not lo - 2 <= m[k] <= hi + 2:
                    self.add("error" if portrait else "warning", 2 if portrait else 3, where,
                             f"lề {name} {m[k] / 56.692:.1f} mm, Nghị định 30 quy định {mm}")

    def _header_xml(self, sect, kind):
        ref = next((r for r in sect.findall(W + "headerReference") if r.get(W + "type") == kind), None)
        return self.v.parts.get(ref.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")) \
            if ref is not None else None

    def check_page_numbers(self):
        secs = self.sections()
        if not secs:
            return
        first = secs[0]
        where = "đầu trang (header)"
        if first.find(W + "titlePg") is None:
            self.add("error", 4, where, "trang 1 không được đánh số: bật «Different First Page» (titlePg)")
        default = self._header_xml(first, "default")
        first_hdr = self._header_xml(first, "first")
        if default is None or "PAGE" not in _instr(default):
            self.add("error", 4, where, "thiếu số trang ở đầu trang (trường PAGE) từ trang 2")
        else:
            p = next(p for p in default.iter(W + "p") if "PAGE" in _instr(p))
            jc = p.find(f"{W}pPr/{W}jc")
            if jc is None or jc.get(W + "val") != "center":
                self.add("error", 4, where, "số trang phải căn giữa")
            for r in p.iter(W + "r"):
                sz = r.find(f"{W}rPr/{W}sz")
                if sz is not None and not SIZES["so_trang"].ok(int(sz.get(W + "val"))):
                    self.add("error", 4, where, f"số trang cỡ {int(sz.get(W + 'val')) / 2:g}, cần {SIZES['so_trang']}")
                    break
        if first_hdr is not None and "PAGE" in _instr(first_hdr):
            self.add("error", 4, where, "trang 1 không được hiện số trang")
        for rid, part in self.v.parts.items():
            if part.tag == W + "ftr" and "PAGE" in _instr(part):
                self.add("error", 4, "chân trang (footer)", "số trang phải ở đầu trang, không ở chân trang")

    # -- 7.2 fonts --------------------------------------------------------------
    def check_fonts(self):
        bad_font = bad_color = 0
        for para in self.v.paragraphs:
            for r in self.v.runs(para.el):
                font = self.v.font(r, para.el)
                if font and LEGACY_FONTS.match(font):
                    self.add("error", 6, self.at(para), f"phông {font} là phông bảng mã cũ (TCVN3/VNI); "
                             "hãy chuyển sang Unicode, phông Times New Roman")
                    bad_font += 1
                elif font != "Times New Roman" and bad_font < 20:
                    self.add("error", 6, self.at(para), f"phông chữ {font or '(không đặt)'}, cần Times New Roman")
                    bad_font += 1
                color = self.v.rpr(r, para.el, "color")
                if color is not None and color.get(W + "val", "auto").lower() not in ("auto", "000000") \
                        and bad_color < 20:
                    self.add("error", 7, self.at(para), f"chữ màu #{color.get(W + 'val')}, cần màu đen")
                    bad_color += 1
            if para.text and unicodedata.normalize("NFC", para.text) != para.text:
                self.add("warning", 8, self.at(para), "văn bản chưa chuẩn hóa Unicode NFC (dấu tổ hợp)")
            elif para.text and detect_legacy(para.text):
                self.add("warning", 8, self.at(para), f"văn bản có vẻ theo bảng mã {detect_legacy(para.text)}")

    # -- 7.3 header block -----------------------------------------------------------
    def header_table(self):
        return self.v.body.find(W + "tbl")

    def check_header(self) -> str | None:
        tbl = self.header_table()
        if tbl is None:
            self.add("error", 14, "đầu văn bản", "không thấy bảng tiêu đề hai cột (cơ quan | Quốc hiệu)")
            return None
        cells = [[tc for tc in tr.findall(W + "tc")] for tr in tbl.findall(W + "tr")]
        left = [p for row in cells for p in row[:1] for p in p.iter(W + "p")]
        right = [p for row in cells for p in row[1:2] for p in row[1].iter(W + "p")] if cells and len(cells[0]) > 1 else []
        right = list(dict.fromkeys(right))
        para = {p.el: p for p in self.v.paragraphs}
        rtexts = [(p, text_of(p).strip()) for p in right]
        qh = next(((p, t) for p, t in rtexts if QUOC_HIEU.match(unicodedata.normalize("NFC", t))), None)
        if qh is None:
            self.add("error", 14, "ô Quốc hiệu", "thiếu dòng «CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM» ở cột phải")
        else:
            p = qh[0]
            if not self.v.flag(p, "b") or not SIZES["quoc_hieu"].ok(self.v.size(p)) or self.v.align(p) != "center":
                self.add("error", 14, self.at(para[p]), f"Quốc hiệu phải in hoa, đậm, cỡ {SIZES['quoc_hieu']}, căn giữa")
            i = right.index(p)
            nxt = right[i + 1] if i + 1 < len(right) else None
            if nxt is None or text_of(nxt).strip() != "Độc lập - Tự do - Hạnh phúc":
                self.add("error", 15, self.at(para[p]), "dòng dưới Quốc hiệu phải là «Độc lập - Tự do - Hạnh phúc» "
                         "(gạch nối có cách chữ)")
            else:
                if not self.v.flag(nxt, "b") or not SIZES["tieu_ngu"].ok(self.v.size(nxt)):
                    self.add("error", 15, self.at(para[nxt]), f"Tiêu ngữ phải đậm, cỡ {SIZES['tieu_ngu']}")
                if self.v.any_flag(nxt, "u"):
                    self.add("warning", 15, self.at(para[nxt]), "không gạch chân Tiêu ngữ bằng Underline; "
                             "dùng đường kẻ")
                after = right[i + 2] if i + 2 < len(right) else None
                if not (self.v.has_bottom_rule(nxt) or (after is not None and self.v.has_bottom_rule(after))):
                    self.add("error", 15, self.at(para[nxt]), "thiếu đường kẻ ngang dưới Tiêu ngữ")
                if self.v.size(p) + 2 != self.v.size(nxt):
                    self.add("warning", 16, self.at(para[p]), "cỡ chữ Tiêu ngữ nên lớn hơn Quốc hiệu 1 cỡ (12/13 hoặc 13/14)")
        # issuing body
        upper = [(p, text_of(p).strip()) for p in left if text_of(p).strip() and
                 text_of(p).strip() == text_of(p).strip().upper() and not text_of(p).startswith("Số")]
        if not upper:
            self.add("error", 17, "ô tên cơ quan", "thiếu tên cơ quan ban hành (in hoa) ở cột trái")
        else:
            last_bold = [p for p, _ in upper if self.v.flag(p, "b")]
            if not last_bold:
                self.add("error", 17, self.at(para[upper[-1][0]]), "tên cơ quan ban hành phải in đậm")
            for p, _ in upper:
                if not SIZES["co_quan"].ok(self.v.size(p)):
                    self.add("error", 17, self.at(para[p]), f"tên cơ quan cỡ chữ {SIZES['co_quan']}")
            lastp = upper[-1][0]
            j = left.index(lastp)
            follow = left[j + 1] if j + 1 < len(left) else None
            if not (self.v.has_bottom_rule(lastp) or (follow is not None and self.v.has_bottom_rule(follow))):
                self.add("error", 17, self.at(para[lastp]), "thiếu đường kẻ dưới tên cơ quan ban hành")
        so = next((p for p in left if text_of(p).strip().startswith("Số")), None)
        kind = None
        if so is None:
            self.add("error", 18, "ô số, ký hiệu", "thiếu dòng «Số: …/…» ở cột trái")
        else:
            t = text_of(so).strip()
            m = SO.match(t)
            if not m:
                self.add("error", 18, self.at(para[so]), f"«{t}» không đúng dạng «Số: 05/KH-UBND» "
                         "(ký hiệu viết liền, không dấu cách quanh - và /)")
            else:
                kind = m.group("kh")
                num = m.group("num")
                if num and not re.fullmatch(r"0[1-9]|[1-9]\d+", num):
                    self.add("error", 18, self.at(para[so]), f"số «{num}» dưới 10 phải có số 0 phía trước (05)")
            if not SIZES["so_ky_hieu"].ok(self.v.size(so)) or self.v.any_flag(so, "b"):
                self.add("error", 18, self.at(para[so]), f"dòng «Số» cỡ {SIZES['so_ky_hieu']}, không đậm")
        date = next((p for p in right if DATE.match(text_of(p).strip())), None)
        if date is None:
            cand = next((p for p in right if "ngày" in text_of(p)), None)
            self.add("error", 19, self.at(para[cand]) if cand is not None else "ô địa danh, ngày",
                     "thiếu hoặc sai dòng «Địa danh, ngày … tháng … năm …»")
        else:
            m = DATE.match(text_of(date).strip())
            d, mo = m.group("d"), m.group("m")
            if d and not re.fullmatch(r"0[1-9]|[12]\d|3[01]", d):
                self.add("error", 19, self.at(para[date]), f"ngày «{d}» dưới 10 phải viết 0{d}")
            if mo and re.fullmatch(r"[12]", mo):
                self.add("error", 19, self.at(para[date]), f"tháng {mo} phải viết 0{mo}")
            elif mo and re.fullmatch(r"0[3-9]", mo):
                self.add("warning", 19, self.at(para[date]), f"tháng {mo}: từ tháng 3 không cần số 0")
            elif mo and not re.fullmatch(r"0[12]|[3-9]|1[0-2]", mo):
                self.add("error", 19, self.at(para[date]), f"tháng «{mo}» không hợp lệ")
            if not d or not mo:
                self.add("warning", 19, self.at(para[date]), "ngày, tháng còn để trống: điền khi ký ban hành")
            if not m.group("place")[:1].isupper():
                self.add("error", 19, self.at(para[date]), "địa danh phải viết hoa chữ cái đầu")
            if not self.v.flag(date, "i") or not SIZES["dia_danh_ngay"].ok(self.v.size(date)):
                self.add("error", 19, self.at(para[date]),
                         f"dòng địa danh, ngày tháng phải in nghiêng, cỡ {SIZES['dia_danh_ngay']}")
        return kind

    # -- 7.4 title and body --------------------------------------------------------
    def check_body(self, kind: str | None):
        paras = self.v.paragraphs
        body = [p for p in paras if not p.in_table]
        texts = [p for p in body if p.text.strip()]
        if not texts:
            self.add("error", 20, "toàn văn bản", "văn bản không có nội dung")
            return
        title = texts[0]
        expected = TYPE_NAMES.get(kind or "", None)
        t = title.text.strip()
        if expected and not (t == expected or t.startswith(expected + " ")):
            self.add("error", 20, self.at(title), f"tên loại phải là «{expected}» (khớp ký hiệu {kind})")
        if not self.v.flag(title.el, "b") or self.v.align(title.el) != "center":
            self.add("error", 20, self.at(title), "tên loại văn bản phải in hoa, đậm, căn giữa")
        i = body.index(title)
        trich = []
        j = i + 1
        while j < len(body) and body[j].text.strip() and self.v.flag(body[j].el, "b") \
                and self.v.align(body[j].el) == "center":
            trich.append(body[j])
            j += 1
        if not trich:
            self.add("error", 21, self.at(title), "thiếu trích yếu dưới tên loại")
        else:
            if all(p.text == p.text.upper() for p in trich):
                self.add("warning", 21, self.at(trich[0]), "trích yếu nên viết thường, không in hoa toàn bộ")
            if j < len(body) and body[j].text.strip().startswith("(Kèm theo"):
                j += 1      # a text issued with a QĐ: its reference line sits above the rule
            rule_ok = self.v.has_bottom_rule(trich[-1].el) or (j < len(body) and self.v.has_bottom_rule(body[j].el))
            if not rule_ok:
                self.add("error", 21, self.at(trich[-1]), "thiếu đường kẻ dưới trích yếu")
        start = (trich[-1] if trich else title)
        content = [p for p in body[body.index(start) + 1:] if p.text.strip()]
        # stop at the signature table / first appendix
        end = next((k for k, p in enumerate(content) if re.match(r"^Phụ lục\b", p.text.strip())), len(content))
        content = content[:end]
        if self.shape == "QĐ":
            content = self.check_authority(content, title)
        can_cu = []
        for p in content:
            if p.text.startswith(BASES) and not re.match(r"^[IVX]+\.|^\d+\.", p.text):
                can_cu.append(p)
            else:
                break
        if self.shape == "QĐ":
            self.check_decision(content, can_cu)
        for n, p in enumerate(can_cu):
            last = n == len(can_cu) - 1
            end_ch = p.text.rstrip()[-1:]
            if p.text.startswith(("Căn cứ", "Theo đề nghị")) and not self.v.flag(p.el, "i"):
                self.add("error", 22, self.at(p), "dòng căn cứ phải in nghiêng")
            if last and end_ch != "." or not last and end_ch != ";":
                self.add("error", 22, self.at(p), "mỗi căn cứ kết thúc bằng «;», căn cứ cuối bằng «.»")
        sizes = set()
        for p in content:
            sz = self.v.size(p.el)
            sizes.add(sz)
            jc = self.v.align(p.el)
            if jc in ("center",):
                continue
            if jc not in ("both", "distribute"):
                self.add("error", 9, self.at(p), "đoạn văn phải căn đều hai bên (justify)")
            if not SIZES["noi_dung"].ok(sz):
                self.add("error", 9, self.at(p), f"cỡ chữ {sz / 2:g}, phần nội dung cần {SIZES['noi_dung']}")
            if self.v.flag(p.el, "i") and p not in can_cu:
                self.add("error", 9, self.at(p), "đoạn nội dung không in nghiêng (trừ căn cứ)")
            first = int(self.v.ppr_attr(p.el, "ind", "firstLine", 0) or 0)
            if not (abs(first - 567) <= 10 or abs(first - 720) <= 10):
                self.add("error", 11, self.at(p), f"thụt đầu dòng {first / 567:.2f} cm, cần 1 cm hoặc 1,27 cm")
            before = int(self.v.ppr_attr(p.el, "spacing", "before", 0) or 0)
            after = int(self.v.ppr_attr(p.el, "spacing", "after", 0) or 0)
            if before + after < 120:
                self.add("error", 12, self.at(p), "khoảng cách giữa các đoạn tối thiểu 6 pt")
            rule = self.v.ppr_attr(p.el, "spacing", "lineRule", "auto")
            line = int(self.v.ppr_attr(p.el, "spacing", "line", 240) or 240)
            if rule == "auto" and not 240 <= line <= 360:
                self.add("error", 13, self.at(p), f"giãn dòng {line / 240:.2f} dòng, cần từ 1 đến 1,5 dòng")
            elif rule in ("exact", "atLeast") and not 1.15 * sz * 10 <= line <= 1.725 * sz * 10:
                self.add("error", 13, self.at(p), "giãn dòng cố định ngoài khoảng 1–1,5 dòng")
            if ROMAN.match(p.text.split(".")[0]) and re.match(r"^[IVXLC]+\. ", p.text):
                if p.text != p.text.upper() or not self.v.flag(p.el, "b"):
                    self.add("error", 24, self.at(p), "đề mục La Mã (I., II.) phải in hoa, đậm")
        if len(sizes) > 1:
            self.add("warning", 10, "phần nội dung", "cỡ chữ phần nội dung không đồng nhất")
        if content and not content[-1].text.rstrip().endswith("./."):
            self.add("warning", 25, self.at(content[-1]), "đoạn cuối phần nội dung nên kết thúc bằng «./.»")
        return content

    # -- the Quyết định form (Mẫu 1.2, 1.3) ---------------------------------------------
    def _heading_ok(self, p: Para) -> bool:
        return (p.text == p.text.upper() and self.v.flag(p.el, "b") and self.v.align(p.el) == "center"
                and SIZES["ten_loai"].ok(self.v.size(p.el)))

    def check_authority(self, content: list, title: Para) -> list:
        """The authority line under the summary; returns the content after it."""
        first = content[0] if content else None
        if first is None or first.text.startswith(BASES) or self.v.align(first.el) != "center":
            self.add("error", 34, self.at(first or title), "thiếu dòng thẩm quyền ban hành (ví dụ «ỦY BAN NHÂN DÂN "
                     "TỈNH …») trên các căn cứ")
            return content
        if not self._heading_ok(first):
            self.add("error", 34, self.at(first), f"thẩm quyền ban hành in hoa, đậm, căn giữa, cỡ {SIZES['ten_loai']}")
        return content[1:]

    def check_decision(self, content: list, can_cu: list):
        """"Theo đề nghị …" closes the căn cứ; then "QUYẾT ĐỊNH:" and the articles, numbered from 1."""
        if not can_cu or not can_cu[-1].text.startswith("Theo đề nghị"):
            self.add("warning", 22, self.at(can_cu[-1] if can_cu else None),
                     "khối căn cứ của quyết định kết thúc bằng «Theo đề nghị của ….»")
        rest = content[len(can_cu):]
        if not rest or rest[0].text.strip() != "QUYẾT ĐỊNH:":
            self.add("error", 34, self.at(rest[0] if rest else None), "sau căn cứ là dòng «QUYẾT ĐỊNH:»")
        elif not self._heading_ok(rest[0]):
            self.add("error", 34, self.at(rest[0]), f"«QUYẾT ĐỊNH:» in hoa, đậm, căn giữa, cỡ {SIZES['ten_loai']}")
        articles = [(p, ARTICLE.match(p.text)) for p in rest if ARTICLE.match(p.text)]
        if not articles:
            self.add("error", 35, "phần nội dung", "quyết định không có điều nào («Điều 1. …»)")
        for n, (p, m) in enumerate(articles, 1):
            if int(m.group(1)) != n:
                self.add("error", 35, self.at(p), f"điều đánh số liên tục: cần «Điều {n}.», gặp «{m.group()}»")
            runs = self.v.runs(p.el)
            head = text_of(runs[0]).strip() if runs else ""
            if not runs or not head.startswith("Điều") or not self.v.run_flag(runs[0], p.el, "b"):
                self.add("error", 35, self.at(p), "«Điều n.» in đậm (nội dung của điều không đậm)")

    def check_attached(self):
        """A text issued with the QĐ (Mẫu 1.3): a second header block with no Số line, and the
        "(Kèm theo Quyết định số …)" line under its title."""
        tables = [t for t in self.v.body.findall(W + "tbl") if self._is_header(t)]
        attached = tables[1:] if self.shape == "QĐ" else tables[:1]
        body = [p for p in self.v.paragraphs if not p.in_table and p.text.strip()]
        for t in attached:
            if any(text_of(p).strip().startswith("Số") for p in t.iter(W + "p")):
                self.add("error", 36, "đầu văn bản kèm theo", "văn bản ban hành kèm theo quyết định không có dòng «Số»")
            follow = [p for p in body if p.el.getparent() is self.v.body
                      and list(self.v.body).index(p.el) > list(self.v.body).index(t)][:4]
            ref = next((p for p in follow if p.text.strip().startswith("(Kèm theo")), None)
            if ref is None or not KEM_THEO_QD.match(ref.text.strip()):
                self.add("error", 36, self.at(ref or (follow[0] if follow else None)),
                         "dưới tên văn bản kèm theo cần dòng «(Kèm theo Quyết định số …/QĐ-… ngày … tháng … năm … "
                         "của …)»")
            elif not self.v.flag(ref.el, "i"):
                self.add("error", 36, self.at(ref), "dòng «(Kèm theo Quyết định …)» in nghiêng")

    def _is_header(self, tbl) -> bool:
        cells = tbl.findall(f"{W}tr/{W}tc")
        return len(cells) >= 2 and any(QUOC_HIEU.match(text_of(p).strip()) for p in cells[1].iter(W + "p"))

    # -- 7.5 signature -------------------------------------------------------------
    def check_signature(self, kind: str | None):
        tables = [t for t in self.v.body.iter(W + "tbl")
                  if t.getparent() is self.v.body and len(t.findall(f"{W}tblGrid/{W}gridCol")) == 2]
        # the signature table is the one that holds Nơi nhận (a text attached to a QĐ follows it)
        signed = [t for t in tables[1:] if any(text_of(p).strip() == "Nơi nhận:" for p in t.iter(W + "p"))]
        sig = signed[-1] if signed else (tables[-1] if len(tables) >= 2 else None)
        para = {p.el: p for p in self.v.paragraphs}
        if sig is None:
            self.add("error", 26, "cuối văn bản", "thiếu khối chữ ký và nơi nhận (bảng hai cột)")
            return
        tr = sig.find(W + "tr")
        self.check_signature_kept(sig, tr)
        left, right = tr.findall(W + "tc")[:2]
        rp = [p for p in right.iter(W + "p") if text_of(p).strip()]
        lines = [text_of(p).strip() for p in rp]
        if not lines:
            self.add("error", 26, "khối chữ ký", "thiếu thẩm quyền, chức vụ và họ tên người ký")
        else:
            name = rp[-1]
            for p in rp[:-1]:
                t = text_of(p).strip()
                if t != t.upper() or not self.v.flag(p, "b"):
                    self.add("error", 26, self.at(para[p]), "thẩm quyền, chức vụ người ký in hoa, đậm")
                if not SIZES["chu_ky"].ok(self.v.size(p)):
                    self.add("error", 26, self.at(para[p]), f"thẩm quyền, chức vụ cỡ {SIZES['chu_ky']}")
            if lines[0].startswith("TM. ỦY BAN NHÂN DÂN") and len(lines) >= 3:
                mid = lines[1:-1]
                if mid not in (["CHỦ TỊCH"], ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], ["Q. CHỦ TỊCH"]):
                    self.add("error", 26, self.at(para[rp[1]]), "sau «TM. ỦY BAN NHÂN DÂN» là «CHỦ TỊCH» "
                             "hoặc «KT. CHỦ TỊCH» / «PHÓ CHỦ TỊCH»")
            nt = text_of(name).strip()
            if nt == nt.upper() or not self.v.flag(name, "b"):
                self.add("error", 26, self.at(para[name]), "họ tên người ký viết thường (hoa chữ đầu), in đậm")
            if re.match(r"^(TS|ThS|GS|PGS|KS)\.", nt):
                self.add("error", 26, self.at(para[name]), "không ghi học hàm, học vị trước họ tên người ký")
        lp = [p for p in left.iter(W + "p") if text_of(p).strip()]
        if not lp or text_of(lp[0]).strip() != "Nơi nhận:":
            self.add("error", 27, "nơi nhận", "ô trái phải bắt đầu bằng «Nơi nhận:»")
            return
        head = lp[0]
        if not (self.v.flag(head, "b") and self.v.flag(head, "i") and SIZES["noi_nhan_tieu_de"].ok(self.v.size(head))):
            self.add("error", 27, self.at(para[head]), f"«Nơi nhận:» cỡ {SIZES['noi_nhan_tieu_de']}, đậm, nghiêng")
        items = lp[1:]
        for p in items:
            t = text_of(p).strip()
            if not t.startswith("- "):
                self.add("error", 27, self.at(para[p]), "mỗi nơi nhận bắt đầu bằng «- »")
            if not SIZES["noi_nhan"].ok(self.v.size(p)):
                self.add("error", 27, self.at(para[p]), f"danh sách nơi nhận cỡ {SIZES['noi_nhan']}")
        if items:
            for p in items[:-1]:
                if not text_of(p).strip().endswith(";"):
                    self.add("error", 27, self.at(para[p]), "mỗi nơi nhận kết thúc bằng «;»")
            if not re.match(r"^- Lưu: VT(, .+)?\.$", text_of(items[-1]).strip()):
                self.add("error", 27, self.at(para[items[-1]]), "dòng cuối phải là «- Lưu: VT, <đơn vị>.»")
        kg = next((p for p in self.v.paragraphs if not p.in_table and p.text.startswith("Kính gửi:")), None)
        if kg is not None:
            if self.v.any_flag(kg.el, "b") or not SIZES["kinh_gui"].ok(self.v.size(kg.el)):
                self.add("error", 28, self.at(kg), f"«Kính gửi» cỡ {SIZES['kinh_gui']}, không đậm")
            if not items or text_of(items[0]).strip() != "- Như trên;":
                self.add("error", 28, "nơi nhận", "có «Kính gửi» thì nơi nhận đầu tiên là «- Như trên;»")

    def check_signature_kept(self, sig, tr):
        """Rule 37: what precedes the signature table, up to the last text, is kept with it."""
        para = {p.el: p for p in self.v.paragraphs}
        before = sig.getprevious()
        while before is not None and before.tag == W + "p":
            if self.v.ppr(before, "keepNext") is None or not _on_el(self.v.ppr(before, "keepNext")):
                self.add("warning", 37, self.at(para.get(before)), "khối chữ ký có thể bị đẩy sang trang riêng: "
                         "đặt «Keep with next» cho đoạn cuối của nội dung (và dòng trống trước chữ ký)")
                return
            if text_of(before).strip():
                break
            before = before.getprevious()
        if tr.find(f"{W}trPr/{W}cantSplit") is None:
            self.add("warning", 37, "khối chữ ký", "dòng bảng chữ ký có thể bị tách sang hai trang: bật «Allow row "
                     "to break across pages» = tắt (cantSplit)")

    def check_rows_kept(self, heads):
        """Rule 38: the rows of each appendix table do not split across pages."""
        for p in heads:
            tbl = p.el.getnext()
            while tbl is not None and tbl.tag != W + "tbl":
                tbl = tbl.getnext()
            if tbl is None:
                continue
            rows = tbl.findall(W + "tr")[1:]
            loose = [r for r in rows if r.find(f"{W}trPr/{W}cantSplit") is None]
            if loose:
                self.add("warning", 38, self.at(p), f"{len(loose)} dòng của bảng phụ lục có thể bị tách sang trang sau; "
                         "tắt «Allow row to break across pages» cho các dòng bảng")

    # -- 7.6 appendices ---------------------------------------------------------------
    def check_appendices(self, content):
        body = [p for p in self.v.paragraphs if not p.in_table and p.text.strip()]
        heads = [p for p in body if re.match(r"^Phụ lục( [IVXLC]+)?$", p.text.strip())]
        if not heads:
            return
        self.check_rows_kept(heads)
        secs = self.sections()
        numerals = []
        for p in heads:
            if not self.v.flag(p.el, "b") or not SIZES["phu_luc"].ok(self.v.size(p.el)) or self.v.align(p.el) != "center":
                self.add("error", 30, self.at(p), f"dòng «Phụ lục …» đậm, cỡ {SIZES['phu_luc']}, căn giữa")
            k = body.index(p)
            title = body[k + 1] if k + 1 < len(body) else None
            ref = body[k + 2] if k + 2 < len(body) else None
            if title is None or title.text != title.text.upper() or not self.v.flag(title.el, "b"):
                self.add("error", 30, self.at(title or p), "tên phụ lục in hoa, đậm, căn giữa")
            if ref is None or not re.match(r"^\(Kèm theo .+ số .*/.*-.* ngày .* tháng .* năm .* của .+\)$",
                                           ref.text.strip()):
                self.add("error", 30, self.at(ref or p), "thiếu dòng «(Kèm theo … số …/…-… ngày … tháng … năm … "
                         "của …)» dưới tên phụ lục")
            elif not self.v.flag(ref.el, "i"):
                self.add("error", 30, self.at(ref), "dòng «Kèm theo» phải in nghiêng")
            parts = p.text.split()
            numerals.append(parts[2] if len(parts) > 2 else "")
        if len(heads) >= 2:
            if numerals != [roman(i) for i in range(1, len(heads) + 1)]:
                self.add("error", 31, self.at(heads[0]), f"các phụ lục phải đánh số La Mã liên tục, gặp {numerals}")
        main = " ".join(p.text for p in content or [])
        for n in numerals:
            if n and not re.search(r"Phụ lục (số )?" + n + r"\b", main):
                self.add("error", 31, "phần nội dung", f"nội dung chính không nhắc tới Phụ lục {n}")
        # each appendix section restarts page numbering
        for n, s in enumerate(secs[1:], start=2):
            pg = s.find(W + "pgNumType")
            if pg is None or pg.get(W + "start") != "1":
                self.add("error", 5, f"phần (section) {n}", "mỗi phụ lục đánh số trang riêng từ 1 (pgNumType start=1)")

    def party_document(self) -> bool:
        """A Party document ("ĐẢNG CỘNG SẢN VIỆT NAM" instead of the Quốc hiệu) follows the Party's own
        rules (Hướng dẫn 36-HD/VPTW), not ND30."""
        tbl = self.header_table()
        return tbl is not None and any(text_of(p).strip() == PARTY for p in tbl.iter(W + "p"))

    def run(self) -> list[Finding]:
        if self.party_document():
            return [Finding("note", 14, "đầu văn bản", "văn bản của tổ chức Đảng («ĐẢNG CỘNG SẢN VIỆT NAM»): thể thức "
                            "theo Hướng dẫn 36-HD/VPTW, không theo Nghị định 30; không kiểm tra")]
        self.check_page()
        self.check_page_numbers()
        self.check_fonts()
        kind = self.check_header()
        content = self.check_body(kind)
        self.check_signature(kind)
        if self.shape in ("QĐ", "KT"):
            self.check_attached()
        self.check_appendices(content)
        return self.findings


def _on_el(el) -> bool:
    """A toggle element (``w:keepNext``) that is on: present, and not ``w:val="0"/"false"``."""
    return el is not None and el.get(W + "val", "true") not in ("0", "false", "off")


def _instr(el) -> str:
    out = "".join(t.text or "" for t in el.iter(W + "instrText"))
    out += " ".join(f.get(W + "instr", "") for f in el.iter(W + "fldSimple"))
    return out


#: The title (tên loại) of each shape a document can have; see :data:`.rules.RULES`.
SHAPE_TITLES = {"KẾ HOẠCH": "KH", "BÁO CÁO": "BC", "QUYẾT ĐỊNH": "QĐ", "BẢNG SO SÁNH": "SS"}


def detect_shape(view: DocxView) -> str | None:
    """The shape of a document from its tên loại (the first line after the header table); a plan
    whose title block carries "(Kèm theo Quyết định …)" is a text issued with a QĐ (KT)."""
    body = [p for p in view.paragraphs if not p.in_table and p.text.strip()]
    if not body:
        return None
    title = " ".join(body[0].text.split()).upper()
    shape = next((shape for name, shape in SHAPE_TITLES.items() if title.startswith(name)), None)
    if shape == "KH" and any(p.text.strip().startswith("(Kèm theo Quyết định") for p in body[1:4]):
        return "KT"
    return shape


def check_docx(path, shape: str | None = None) -> list[Finding]:
    """All findings for one file (rules of ``shape``, detected from the title when not given);
    raises :class:`~.docx_model.NotADocx` if it is not a .docx."""
    view = DocxView(path)
    return Checker(view, shape).run()


def as_json(findings: list[Finding]) -> list[dict]:
    return [asdict(f) for f in findings]
