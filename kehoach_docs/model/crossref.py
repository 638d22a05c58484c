"""Checks that span files: codes that must exist, codes that must be unique, references.

Each problem is located through the source file of the value it concerns, so the
message names the line (YAML) or cell (XLSX) where the clerk must look.
"""

from __future__ import annotations

import re

from ..located import Located
from ..problems import ERROR, WARNING, Problem, Problems
from ..text.excerpt import excerpt
from .bundle import Plan
from .plan import TO_EDIT, Muc
from .labels import label
from .refs import CT_BLANK, CT_FIELDS, REF, VB_FIELDS, ct_value, find_refs

LUU = re.compile(r"^Lưu: VT(, .+)?$")
#: A value still beginning with the starter's mark is warned of; a heading of an amendment
#: («SỬA ĐỔI, BỔ SUNG …») is not the mark.
_LEFT_TO_EDIT = re.compile(TO_EDIT + r"(\s*[-–:]|\s*$)")


def _at(plan: Plan, part: str, path: tuple, level: str, message: str, problems: Problems):
    src = plan.sources.get(part)
    if src is None:
        problems.add(Problem(level, part, None, path, message))
        return
    # the validated model, not the raw data: the rules walk the models, and the raw data is released
    problems.add(Problem(level, src.file, src.locate(path), src.prefix + path, message,
                         label(src.file, getattr(plan, part, None), path)))


def _walk_body(nodes: list, path: tuple):
    """Yield (path, node) for every section node and (path, text) for every text."""
    for i, node in enumerate(nodes):
        p = path + (i,)
        if isinstance(node, Muc):
            yield p, node
            yield p + ("tieu_de",), node.tieu_de
            yield from _walk_body(node.noi_dung, p + ("noi_dung",))
        elif isinstance(node, str):
            yield p, node
        else:
            key = "gach" if hasattr(node, "gach") else "doan"
            yield p + (key,), getattr(node, key)


def keep_for_check(src: Located) -> None:
    """Take from ``src`` what :func:`check_plan` reads of the raw data (the texts that hold a
    reference, and those still as ``kehoach init`` wrote them), so the data can be released as soon
    as it is validated."""
    src.kept[_REFS], src.kept[_MARKED] = _texts_to_check(src)


_REFS, _MARKED = "texts with references", "texts left to edit"


def _texts_to_check(src: Located) -> tuple[list, list]:
    """(path, text) of every string of ``src``'s data that holds a reference, and of every one that
    is still the starter's mark (:data:`TO_EDIT`), in the data's order."""
    if _REFS in src.kept:
        return src.kept[_REFS], src.kept[_MARKED]
    data, refs, marked = src.data, [], []
    if isinstance(data, str):
        return ([((), data)] if REF.search(data) else []), ([((), data)] if _LEFT_TO_EDIT.match(data) else [])
    if isinstance(data, (dict, list)):
        _collect_texts(data, (), refs, marked)
    return refs, marked


def _collect_texts(container, path: tuple, refs: list, marked: list) -> None:
    # a province's appendix has a hundred thousand strings: a leaf's path is built only when it is
    # kept, and a reference starts with «{»
    for key, value in (container.items() if isinstance(container, dict) else enumerate(container)):
        if isinstance(value, str):
            if "{" in value and REF.search(value):
                refs.append((path + (key,), value))
            if value.startswith(TO_EDIT) and _LEFT_TO_EDIT.match(value):
                marked.append((path + (key,), value))
        elif isinstance(value, (dict, list)):
            _collect_texts(value, path + (key,), refs, marked)


def check_plan(plan: Plan) -> Problems:
    """Every cross-file rule; returns the problems found (errors and warnings)."""
    problems = Problems()
    kh = plan.ke_hoach
    agencies = {}
    for i, cq in enumerate(plan.co_quan_list):
        if cq.ma in agencies:
            _at(plan, "co_quan", ("co_quan", i, "ma"), ERROR,
                f"mã cơ quan «{cq.ma}» bị trùng (đã dùng ở mục {agencies[cq.ma] + 1})", problems)
        else:
            agencies[cq.ma] = i

    def agency(code: str | None, part: str, path: tuple):
        if code is not None and code not in agencies:
            import difflib
            hint = difflib.get_close_matches(code, list(agencies), n=1)
            _at(plan, part, path, ERROR,
                f"mã cơ quan «{code}» không có trong danh bạ co-quan.yaml"
                + (f"; có phải «{hint[0]}»?" if hint else ""), problems)

    # Value columns: what an indicator gives must be a column the plan prints.
    pl1 = plan.phu_luc_i
    own = {c.field.split(".", 1)[1] for c in plan.indicator_table.columns if c.field and "." in c.field}
    declared = [c.ma for c in pl1.cot] if pl1.cot else ["ke_hoach", "muc_tieu"]
    if kh.danh_gia.can_cu not in declared:
        _at(plan, "ke_hoach", ("danh_gia", "can_cu"), ERROR,
            f"danh_gia.can_cu là «{kh.danh_gia.can_cu}» nhưng Phụ lục I không có cột này; dùng một trong: "
            + ", ".join(declared), problems)

    def values(row, path):
        for key in row.cot_them:
            if key not in own:
                _at(plan, "phu_luc_i", path + ("cot_them", key), ERROR,
                    f"cột «{key}» không có trong khai báo cot của Phụ lục I"
                    + (f" (có: {', '.join(sorted(own))})" if own else ""), problems)
        for key in ("ke_hoach", "muc_tieu"):
            if pl1.cot is not None and key not in declared and getattr(row, key):
                _at(plan, "phu_luc_i", path + (key,), ERROR,
                    f"chỉ tiêu có {key} nhưng Phụ lục I không in cột này (cot: {', '.join(declared)}); "
                    "thêm cột vào cot hoặc bỏ giá trị", problems)

    # Indicators: unique codes, known agencies.
    seen: dict[str, tuple] = {}
    for gi, g in enumerate(plan.phu_luc_i.nhom):
        for ci, ct in enumerate(g.chi_tieu):
            rows = [(("nhom", gi, "chi_tieu", ci), ct)]
            rows += [(("nhom", gi, "chi_tieu", ci, "chi_tiet", si), sub) for si, sub in enumerate(ct.chi_tiet)]
            for path, row in rows:
                if row is not ct and row.chi_tiet:
                    # The tables print two levels; a third would vanish from every document.
                    _at(plan, "phu_luc_i", path + ("chi_tiet",), ERROR,
                        f"chỉ tiêu con «{row.ten}» lại có chỉ tiêu con (chi_tiet): Phụ lục I chỉ có hai cấp "
                        "(chỉ tiêu và chỉ tiêu con); hãy đưa các dòng này lên ngang hàng", problems)
                values(row, path)
                if row.ma in seen:
                    _at(plan, "phu_luc_i", path + ("ma",), ERROR,
                        f"mã chỉ tiêu «{row.ma}» bị trùng", problems)
                seen.setdefault(row.ma, path)
                agency(row.co_quan, "phu_luc_i", path + ("co_quan",))
                if not row.chi_tiet and row.co_quan is None and (row.ke_hoach or row.muc_tieu or row.cot_them):
                    _at(plan, "phu_luc_i", path, WARNING,
                        f"chỉ tiêu «{row.ten}» có số liệu nhưng chưa giao cơ quan theo dõi (co_quan)",
                        problems)
    labels = [g.ky_hieu for g in plan.phu_luc_i.nhom if g.ky_hieu]
    if labels and len(labels) == len(plan.phu_luc_i.nhom):
        expected = [chr(ord("A") + i) for i in range(len(labels))]
        if labels != expected:
            _at(plan, "phu_luc_i", ("nhom",), WARNING,
                f"ký hiệu nhóm chỉ tiêu là {', '.join(labels)}, không theo thứ tự "
                f"{', '.join(expected)}", problems)

    # Sections: unique node codes.
    nodes: dict[str, tuple] = {}
    texts: list[tuple[str, tuple, str]] = []
    for path, item in _walk_body(kh.noi_dung, ("noi_dung",)):
        if isinstance(item, Muc):
            if item.ma:
                if item.ma in nodes:
                    _at(plan, "ke_hoach", path + ("ma",), ERROR, f"mã mục «{item.ma}» bị trùng",
                        problems)
                nodes.setdefault(item.ma, path)
        else:
            texts.append(("ke_hoach", path, item))
    texts.append(("ke_hoach", ("van_ban", "trich_yeu"), kh.van_ban.trich_yeu))
    if kh.loi_dan:
        texts.append(("ke_hoach", ("loi_dan",), kh.loi_dan))
    for i, cc in enumerate(kh.can_cu):
        if hasattr(cc, "doan"):
            texts.append(("ke_hoach", ("can_cu", i, "doan"), cc.doan))
    if (kh.quyet_dinh is not None) != (kh.van_ban.loai == "QĐ"):
        _at(plan, "ke_hoach", ("van_ban", "loai"), ERROR,
            f"có khối quyet_dinh thì loại văn bản phải là QĐ (gặp {kh.van_ban.loai})" if kh.quyet_dinh else
            "loại văn bản là QĐ: cần khối quyet_dinh (theo_de_nghi, dieu; kem_theo nếu ban hành kèm theo kế hoạch)",
            problems)
    if kh.quyet_dinh is not None:
        last = len(kh.quyet_dinh.dieu)
        if not any(r.startswith("Như Điều") for r in kh.noi_nhan):
            _at(plan, "ke_hoach", ("noi_nhan", 0), WARNING,
                f"quyết định thường gửi trước hết «Như Điều {last}» (các cơ quan thi hành nêu ở Điều {last}); "
                "hãy thêm dòng này vào đầu noi_nhan", problems)
    th = kh.tong_hop
    for i, lv in enumerate(th.linh_vuc):
        texts.append(("ke_hoach", ("tong_hop", "linh_vuc", i, "tieu_de"), lv.tieu_de))
        texts += [("ke_hoach", ("tong_hop", "linh_vuc", i, "noi_dung", k), x) for k, x in enumerate(lv.noi_dung)]
    if th.tham_chieu is not None and th.tham_chieu not in kh.van_ban_tham_chieu:
        _at(plan, "ke_hoach", ("tong_hop", "tham_chieu"), ERROR,
            f"văn bản «{th.tham_chieu}» chưa khai báo trong van_ban_tham_chieu", problems)
    if kh.quyet_dinh is not None:
        qd = kh.quyet_dinh
        texts.append(("ke_hoach", ("quyet_dinh", "theo_de_nghi"), qd.theo_de_nghi))
        for i, dieu in enumerate(qd.dieu):
            # an article may be written as plain text: its whole entry is prose
            texts.append(("ke_hoach", ("quyet_dinh", "dieu", i), dieu.doan))
            texts += [("ke_hoach", ("quyet_dinh", "dieu", i, "khoan", k), x) for k, x in enumerate(dieu.khoan)]
        if qd.kem_theo is not None:
            texts.append(("ke_hoach", ("quyet_dinh", "kem_theo", "trich_yeu"), qd.kem_theo.trich_yeu))
            if qd.kem_theo.loi_dan:
                texts.append(("ke_hoach", ("quyet_dinh", "kem_theo", "loi_dan"), qd.kem_theo.loi_dan))

    # Tasks: unique, agencies, section links.
    task_codes: dict[str, int] = {}
    for i, nv in enumerate(plan.phu_luc_ii.nhiem_vu):
        p = ("nhiem_vu", i)
        if nv.ma in task_codes:
            _at(plan, "phu_luc_ii", p + ("ma",), ERROR, f"mã nhiệm vụ «{nv.ma}» bị trùng", problems)
        task_codes.setdefault(nv.ma, i)
        agency(nv.chu_tri, "phu_luc_ii", p + ("chu_tri",))
        for j, code in enumerate(nv.phoi_hop):
            agency(code, "phu_luc_ii", p + ("phoi_hop", j))
            if code == nv.chu_tri:
                _at(plan, "phu_luc_ii", p + ("phoi_hop", j), WARNING,
                    f"cơ quan «{code}» vừa chủ trì vừa phối hợp", problems)
        if nv.thuoc is not None and nv.thuoc not in nodes:
            _at(plan, "phu_luc_ii", p + ("thuoc",), ERROR,
                f"nhiệm vụ gắn với mục «{nv.thuoc}» nhưng phần nội dung không có mục nào mang "
                f"mã này (ma:)", problems)
        texts.append(("phu_luc_ii", p + ("noi_dung",), nv.noi_dung))

    # Citations used by the legal bases must exist.
    cites = kh.van_ban_tham_chieu
    for i, cc in enumerate(kh.can_cu):
        for j, item in enumerate(getattr(cc, "van_ban", [])):
            codes = item.nhom if hasattr(item, "nhom") else [item]
            for k, code in enumerate(codes):
                path = ("can_cu", i, "van_ban", j) + (("nhom", k) if hasattr(item, "nhom") else ())
                if code not in cites:
                    _at(plan, "ke_hoach", path, ERROR,
                        f"văn bản «{code}» chưa khai báo trong van_ban_tham_chieu", problems)
            if hasattr(item, "nhom"):
                kinds = {cites[c].loai for c in item.nhom if c in cites}
                if len(kinds) > 1:
                    _at(plan, "ke_hoach", ("can_cu", i, "van_ban", j), ERROR,
                        "các văn bản trong một nhóm phải cùng loại (ví dụ cùng là Nghị quyết)",
                        problems)

    # References inside text.
    for part, path, text in texts:
        for kind, code, field in find_refs(text):
            if kind == "ct":
                if code not in plan.chi_tieu:
                    _at(plan, part, path, ERROR, f"tham chiếu {{ct:{code}}}: không có chỉ tiêu mã "
                        f"«{code}» ở Phụ lục I", problems)
                elif field not in CT_FIELDS:
                    _at(plan, part, path, ERROR, f"tham chiếu {{ct:{code}:{field}}}: trường «{field}» "
                        f"không có; dùng một trong: {', '.join(k for k in CT_FIELDS if k)}", problems)
                elif not ct_value(plan.chi_tieu[code], field, plan.council_if_blank).strip():
                    ref = "{ct:" + code + (f":{field}" if field else "") + "}"
                    attr = CT_FIELDS[field]
                    no_column = attr in ("muc_tieu", "chu") and "muc_tieu" not in declared
                    what = "số liệu" if no_column or plan.council_if_blank else CT_BLANK[attr]
                    _at(plan, part, path, ERROR, f"tham chiếu {ref}: chỉ tiêu «{code}» chưa có {what}, câu văn sẽ in "
                        "ra chỗ trống; hãy ghi số liệu ở Phụ lục I"
                        + ("" if plan.council_if_blank or attr not in ("muc_tieu", "chu") else
                           (" (Phụ lục I không có cột mục tiêu phấn đấu: " if no_column else " hoặc ")
                           + "dùng {ct:" + code + ":ke_hoach} hay đặt danh_gia.tham_chieu_trong: ke_hoach để in "
                           "số Nghị quyết HĐND giao" + (")" if no_column else "")), problems)
            else:
                if code not in cites:
                    _at(plan, part, path, ERROR, f"tham chiếu {{vb:{code}}}: văn bản «{code}» chưa "
                        "khai báo trong van_ban_tham_chieu", problems)
                elif field not in VB_FIELDS:
                    _at(plan, part, path, ERROR, f"tham chiếu {{vb:{code}:{field}}}: chỉ dùng «ngan» "
                        "hoặc để trống", problems)

    # "{ct:X}%" where X's figure ends in words ("95 trở lên") would print "95 trở lên%".
    for part, path, text in texts:
        for m in REF.finditer(text):
            if m.group(1) == "ct" and text[m.end():m.end() + 1] == "%" and m.group(2) in plan.chi_tieu \
                    and (m.group(3) or "") in CT_FIELDS:
                shown = ct_value(plan.chi_tieu[m.group(2)], m.group(3) or "", plan.council_if_blank)
                if shown and not shown[-1].isdigit():
                    _at(plan, part, path, WARNING,
                        f"«{m.group()}%» sẽ in «{shown}%»; hãy bỏ dấu % sau tham chiếu và ghi đơn vị trong giá trị "
                        f"ở Phụ lục I (ví dụ «95% trở lên»)", problems)

    # The body names each numbered appendix (ND30 Phụ lục I, III.1a; `kehoach check` rule 31).
    numbers = [n for n in plan.appendix_numbers.values() if n]
    body = " ".join(text for part, _, text in texts if part == "ke_hoach")
    for n in numbers:
        if not re.search(r"Phụ lục (số )?" + n + r"\b", body):
            _at(plan, "ke_hoach", ("noi_dung",), WARNING,
                f"phần nội dung chưa nhắc tới «Phụ lục {n}» (Nghị định 30: văn bản có phụ lục phải dẫn chiếu từng "
                "phụ lục); hãy ghi ví dụ «… tại Phụ lục " + n + " kèm theo»", problems)

    # A reference anywhere else would print as typed ({ct:…} in a cited document's summary).
    prose = {(part, path) for part, path, _ in texts}
    for part, src in plan.sources.items():
        for path, text in _texts_to_check(src)[0]:
            if not any((part, path[:n]) in prose for n in range(len(path) + 1)):
                _at(plan, part, path, ERROR,
                    f"tham chiếu «{REF.search(text).group()}» chỉ dùng được trong lời văn của kế hoạch "
                    "(nội dung, căn cứ, trích yếu, lời dẫn, nội dung nhiệm vụ); ở đây hãy ghi thẳng giá trị",
                    problems)

    # What kehoach init wrote for the clerk to replace, and an unnamed signer, before it goes to sign.
    for part, src in plan.sources.items():
        for path, text in _texts_to_check(src)[1]:
            _at(plan, part, path, WARNING, f"còn chữ của kế hoạch mẫu «{excerpt(text, 60)}»: hãy thay bằng nội dung thật "
                "trước khi trình ký", problems)
    if not kh.nguoi_ky.ho_ten.strip():
        _at(plan, "ke_hoach", ("nguoi_ky", "ho_ten"), WARNING, "chưa ghi họ tên người ký (nguoi_ky.ho_ten)", problems)
    if kh.nguoi_ky.deputy_in_own_right and kh.co_quan_ban_hanh.tap_the:
        _at(plan, "ke_hoach", ("nguoi_ky", "chuc_vu"), WARNING,
            f"cấp phó ký văn bản của {kh.co_quan_ban_hanh.loai} thì ghi ký thay (nguoi_ky.ky_thay, ví dụ «Chủ tịch» "
            "để in «KT. CHỦ TỊCH»), theo Nghị định 30", problems)

    # Nơi nhận ends with "Lưu: VT, …".
    if not LUU.match(kh.noi_nhan[-1]):
        _at(plan, "ke_hoach", ("noi_nhan", len(kh.noi_nhan) - 1), ERROR,
            f"dòng cuối của nơi nhận phải là «Lưu: VT, <đơn vị soạn thảo>», gặp «{kh.noi_nhan[-1]}»",
            problems)

    # Dates of cited documents cannot be after the plan's own date.
    own = kh.van_ban.ngay
    for code, vb in cites.items():
        if vb.ngay and vb.ngay.year > own.nam:
            _at(plan, "ke_hoach", ("van_ban_tham_chieu", code, "ngay"), WARNING,
                f"văn bản được dẫn có năm {vb.ngay.year}, sau năm ban hành kế hoạch ({own.nam})",
                problems)
    return problems
