"""Starter plans for ``kehoach init``: one set of commented YAML templates (Jinja), filled in for a
province or a commune of the two-tier local government (from 01/7/2025)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..problems import UserError

HERE = Path(__file__).resolve().parent

#: The agencies each level starts with: (code, name, head's title). Edit co-quan.yaml afterwards.
AGENCIES = {
    "xã": [("VP", "Văn phòng HĐND và UBND", "Chánh Văn phòng"), ("KT", "Phòng Kinh tế", "Trưởng phòng"),
           ("VHXH", "Phòng Văn hóa - Xã hội", "Trưởng phòng")],
    "tỉnh": [("STC", "Sở Tài chính", "Giám đốc"), ("SNV", "Sở Nội vụ", "Giám đốc"),
             ("SCT", "Sở Công Thương", "Giám đốc"), ("SNNMT", "Sở Nông nghiệp và Môi trường", "Giám đốc"),
             ("SXD", "Sở Xây dựng", "Giám đốc"), ("SKHCN", "Sở Khoa học và Công nghệ", "Giám đốc"),
             ("SGDDT", "Sở Giáo dục và Đào tạo", "Giám đốc"), ("SYT", "Sở Y tế", "Giám đốc"),
             ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Giám đốc")],
}
#: Recipients a plan of each level is usually sent to (the last line, Lưu: VT, is added).
RECIPIENTS = {
    "xã": ["UBND tỉnh (để báo cáo)", "Thường trực Đảng ủy xã", "Thường trực HĐND xã", "Các đơn vị thuộc UBND xã"],
    "tỉnh": ["Văn phòng Chính phủ", "Bộ Tài chính", "Thường trực Tỉnh ủy", "Thường trực HĐND tỉnh",
             "Các sở, ban, ngành tỉnh", "UBND các xã, phường"],
}
#: Who leads the example task and monitors the example indicators, who supports, who keeps the file.
ROLES = {"xã": {"chu_tri": "KT", "phoi_hop": "VP", "xa_hoi": "VHXH", "luu": "VP"},
         "tỉnh": {"chu_tri": "STC", "phoi_hop": "SCT", "xa_hoi": "SNNMT", "luu": "STC"}}
FILES = ("ke-hoach.yaml", "co-quan.yaml", "phu-luc-i.yaml", "phu-luc-ii.yaml")


def write_starter(folder: Path, cap: str, dia_danh: str, year: int) -> list[Path]:
    """Write a starter plan into ``folder`` (new or empty); all files or none."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError(f"{folder} đã có và không trống: không ghi đè dữ liệu có sẵn. Hãy chọn thư mục mới.")
    agencies = AGENCIES[cap]
    values = {
        "cap": cap, "dia_danh": dia_danh, "nam": year, "thu_muc": folder.as_posix(),
        "ten_co_quan": f"Ủy ban nhân dân {cap} {dia_danh}", "co_quan": agencies,
        "noi_nhan": RECIPIENTS[cap], **ROLES[cap],
    }
    env = Environment(loader=FileSystemLoader(HERE), undefined=StrictUndefined, keep_trailing_newline=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".kehoach-init-") as tmp:
        staged = Path(tmp) / "plan"
        staged.mkdir()
        for name in FILES:
            (staged / name).write_text(env.get_template(name + ".j2").render(values), encoding="utf-8")
        if folder.exists():
            folder.rmdir()          # empty, checked above
        shutil.move(str(staged), str(folder))
    return [folder / name for name in FILES]
