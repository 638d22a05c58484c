"""Pydantic's validation errors, said in Vietnamese and pointed at the clerk's own keys."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError

from .labels import label
from ..problems import ERROR, Problem, Problems
from ..located import Located


def _found(value: Any) -> str:
    if value is None:
        return "để trống"
    if isinstance(value, (dict, list)):
        return "một bảng" if isinstance(value, dict) else "một danh sách"
    text = str(value)
    return f"«{text if len(text) <= 60 else text[:59] + '…'}»"


def _message(err: dict, allowed: list[str]) -> str:
    t, ctx, inp = err["type"], err.get("ctx") or {}, err.get("input")
    if t == "missing":
        key = err["loc"][-1] if err["loc"] else None
        return f"thiếu trường bắt buộc «{key}»" if isinstance(key, str) else "thiếu trường bắt buộc"
    if t == "extra_forbidden":
        key = str(err["loc"][-1])
        hint = [h for h in difflib.get_close_matches(key, allowed, n=2, cutoff=0.6) if h != key]
        if hint:
            return f"khóa «{key}» không được dùng ở đây; có phải ý bạn là «{hint[0]}»?"
        if not key[:1].isalpha() or " " in key:
            return (f"khóa «{key}» không được dùng ở đây; nếu giá trị có dấu phẩy trong dấu {{ }}, "
                    "hãy đặt giá trị trong dấu ngoặc kép")
        return f"khóa «{key}» không được dùng ở đây (có thể gõ sai tên khóa)"
    if t in ("string_type", "str_type"):
        return f"cần một chuỗi chữ, gặp {_found(inp)}"
    if t in ("int_type", "int_parsing", "int_from_float"):
        return f"cần một số nguyên, gặp {_found(inp)}"
    if t in ("bool_type", "bool_parsing"):
        return f"cần true hoặc false, gặp {_found(inp)}"
    if t in ("list_type",):
        return f"cần một danh sách (các dòng bắt đầu bằng «- »), gặp {_found(inp)}"
    if t in ("dict_type", "model_type", "model_attributes_type"):
        return f"cần một bảng khóa: giá trị, gặp {_found(inp)}"
    if t in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return f"cần một ngày dạng dd/mm/yyyy, gặp {_found(inp)}"
    if t == "greater_than_equal":
        return f"cần lớn hơn hoặc bằng {ctx.get('ge')}, gặp {_found(inp)}"
    if t == "less_than_equal":
        return f"cần nhỏ hơn hoặc bằng {ctx.get('le')}, gặp {_found(inp)}"
    if t == "too_short":
        return "không được để trống" if ctx.get("min_length", 1) <= 1 else \
            f"cần ít nhất {ctx.get('min_length')} mục"
    if t == "string_too_short":
        return "không được để trống"
    if t in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", " hoặc ")
        return f"gặp {_found(inp)}, cần một trong: {expected}"
    if t in ("union_tag_invalid", "union_tag_not_found"):
        return f"cần một dòng chữ hoặc một bảng khóa: giá trị, gặp {_found(inp)}"
    if t in ("float_type", "float_parsing", "decimal_type", "decimal_parsing", "finite_number"):
        return f"cần một số, gặp {_found(inp)}"
    if t in ("greater_than", "less_than"):
        op, bound = ("lớn hơn", ctx.get("gt")) if t == "greater_than" else ("nhỏ hơn", ctx.get("lt"))
        return f"cần {op} {bound}, gặp {_found(inp)}"
    if t in ("string_too_long", "too_long"):
        return f"quá dài (tối đa {ctx.get('max_length')}), gặp {_found(inp)}"
    if t.startswith(("date_", "datetime_")):
        return f"cần một ngày dạng dd/mm/yyyy (không kèm giờ), gặp {_found(inp)}"
    if t == "value_error":
        return str(ctx.get("error", err["msg"]))
    # Anything else pydantic may say: still Vietnamese, with its code for whoever maintains this.
    return f"giá trị không hợp lệ, gặp {_found(inp)} (mã lỗi {t})"


def _data_path(loc: tuple, data: Any) -> tuple:
    """Drop pydantic's union tags from ``loc`` by following the real data."""
    path: list = []
    cur = data
    for part in loc:
        if isinstance(cur, dict) and part in cur:
            path.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and part < len(cur):
            path.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and isinstance(part, str) and not path[-1:] == [part]:
            # a missing or unknown key: keep it so the message names it
            if part[:1].islower() and part not in ("str", "khac", "gach", "doan", "function-after",
                                                  "function-before"):
                path.append(part)
                cur = None
    return tuple(path)


def translate(exc: ValidationError, source: Located, problems: Problems,
              model_for_path=None) -> None:
    """Turn every error of ``exc`` into a located Vietnamese :class:`Problem`."""
    for err in exc.errors(include_url=False):
        path = _data_path(tuple(err["loc"]), source.data)
        allowed: list[str] = []
        if err["type"] == "extra_forbidden" and model_for_path is not None:
            allowed = model_for_path(path[:-1])
        problems.add(Problem(ERROR, source.file, source.locate(path), source.prefix + path, _message(err, allowed),
                             label(source.file, source.data, path)))
