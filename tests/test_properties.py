"""Property-based tests: random structures and text give a valid model or a clear error."""

from __future__ import annotations


import re
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehoach_docs.model.values import Direction, Kind, Verdict, evaluate, parse_value
from kehoach_docs.problems import InvalidInput
from kehoach_docs.source.plan_dir import load_plan
from kehoach_docs.text.hygiene import clean_text
from kehoach_docs.text.vn import format_number, parse_number

from conftest import EXAMPLE

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4),
    max_leaves=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=json_values, target=st.sampled_from(["ke-hoach.yaml", "co-quan.yaml", "phu-luc-i.yaml",
                                                 "phu-luc-ii.yaml"]))
def test_loader_gives_model_or_clear_error(tmp_path_factory, data, target):
    import shutil
    import yaml
    plan = tmp_path_factory.mktemp("p") / "plan"
    shutil.copytree(EXAMPLE, plan)
    (plan / target).write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    try:
        load_plan(plan)
    except InvalidInput as exc:
        assert exc.problems.errors
        for p in exc.problems.errors:
            assert p.file and p.message and "Traceback" not in p.message


@given(st.text(max_size=200))
def test_clean_text_is_nfc_and_reports_forbidden(text):
    import unicodedata
    cleaned, issues = clean_text(text)
    assert unicodedata.normalize("NFC", cleaned) == cleaned
    forbidden = any(ord(c) < 32 and c not in "\t\n\r" for c in text)
    assert forbidden == any(i.level == "error" for i in issues)
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in cleaned)   # never passed on raw


@given(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False))
def test_number_round_trip(value):
    assert parse_number(format_number(value)) == value.normalize() or \
        parse_number(format_number(value)) == value


@given(st.text(max_size=40), st.sampled_from(["", "%", "Xếp hạng", "tỷ đồng"]))
def test_parse_value_never_fails_and_keeps_text(text, unit):
    from kehoach_docs.text.vn import NumberOutOfRange
    try:
        v = parse_value(text, unit)
    except NumberOutOfRange as exc:          # the one refusal: a figure of 10^18 or more
        assert "quá lớn" in str(exc) and sum(ch.isdigit() for ch in text) >= 19
        return
    assert v.text == text and isinstance(v.kind, Kind)


nums = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)


@given(nums, nums)
def test_number_verdicts(t, r):
    target = parse_value(format_number(t))
    result = parse_value(format_number(r))
    up = evaluate(target, result, Direction.UP)
    down = evaluate(target, result, Direction.DOWN)
    if r == t:
        assert up == down == Verdict.MET
    elif r > t:
        assert (up, down) == (Verdict.EXCEEDED, Verdict.MISSED)
    else:
        assert (up, down) == (Verdict.MISSED, Verdict.EXCEEDED)


@given(nums, nums)
def test_bounds(limit, r):
    assert evaluate(parse_value("<" + format_number(limit)), parse_value(format_number(r))) == \
        (Verdict.MET if r < limit else Verdict.MISSED)
    assert evaluate(parse_value("trên " + format_number(limit)), parse_value(format_number(r))) == \
        (Verdict.MET if r > limit else Verdict.MISSED)


@given(nums, nums, nums)
def test_ranges(a, b, r):
    lo, hi = min(a, b), max(a, b)
    v = evaluate(parse_value(f"{format_number(lo)}-{format_number(hi)}"), parse_value(format_number(r)))
    if lo <= r <= hi:
        assert v == Verdict.MET
    else:
        assert v == (Verdict.EXCEEDED if r > hi else Verdict.MISSED)


@given(st.integers(1, 60), st.integers(1, 60))
def test_ranks(target, got):
    v = evaluate(parse_value(f"{target}/63", "Xếp hạng"), parse_value(f"{got}/63", "Xếp hạng"))
    assert v == (Verdict.MET if got == target else Verdict.EXCEEDED if got < target else Verdict.MISSED)
    top = evaluate(parse_value(f"Top {target}"), parse_value(str(got), "Xếp hạng"))
    assert top == (Verdict.MET if got <= target else Verdict.MISSED)


def test_examples_from_the_issue():
    assert evaluate(parse_value("<1"), parse_value("0,8")) == Verdict.MET
    assert evaluate(parse_value("5/10", "Xếp hạng"), parse_value("4/10", "Xếp hạng")) in (Verdict.MET, Verdict.EXCEEDED)
    assert evaluate(parse_value("8,5-9,5"), parse_value("9")) == Verdict.MET
    assert evaluate(parse_value("Hoàn thành"), parse_value("9")) == Verdict.MANUAL
    assert evaluate(parse_value(""), parse_value("9")) == Verdict.NO_TARGET
    assert evaluate(parse_value("9"), parse_value("")) == Verdict.NO_RESULT
    assert evaluate(parse_value("105/100"), parse_value("104/100"), Direction.DOWN) == Verdict.EXCEEDED


# The same rules seen from the data: an indicator as a clerk writes it, a result as an agency sends it.
def _indicator(target: str, unit: str = "%", **kw):
    from kehoach_docs.model.plan import ChiTieu
    return ChiTieu(ma="x", ten="Chỉ tiêu", don_vi=unit, ke_hoach=target, muc_tieu=target, **kw)


@given(nums, nums, st.sampled_from(["tang", "giam"]))
def test_assess_follows_the_indicators_direction(t, r, huong):
    from kehoach_docs.model.evaluation import assess
    a = assess(_indicator(format_number(t), huong=huong), format_number(r))
    better = r > t if huong == "tang" else r < t
    assert a.verdict == (Verdict.MET if r == t else Verdict.EXCEEDED if better else Verdict.MISSED)
    if t:
        assert a.so_sanh == format_number((r / t * 100).quantize(Decimal("0.1")), max_decimals=1)


@given(nums, nums)
def test_assess_ratio_lower_is_better(t, r):
    """``105/100`` (sex ratio at birth, huong: giam): 104/100 beats it, 106/100 misses it."""
    from kehoach_docs.model.evaluation import assess
    t = t + 1
    a = assess(_indicator(f"{format_number(t)}/100", "Bé trai/bé gái", huong="giam"), f"{format_number(r)}/100")
    assert a.verdict == (Verdict.MET if r == t else Verdict.EXCEEDED if r < t else Verdict.MISSED)


@given(st.integers(1, 62), st.integers(1, 63))
def test_assess_rank_reads_the_result_as_a_rank(target, got):
    from kehoach_docs.model.evaluation import assess
    a = assess(_indicator(f"{target}/63", "Xếp hạng"), f"{got}/63")
    assert a.result.kind == Kind.RANK and a.percent is None
    assert a.verdict == (Verdict.MET if got == target else Verdict.EXCEEDED if got < target else Verdict.MISSED)


@given(st.sampled_from(["", "8,6", "<1", "5/10", "8,5-9,5", "Cơ bản hoàn thành"]),
       st.sampled_from(["", "  ", "\u00a0"]))
def test_blank_results_are_never_judged(target, blank):
    from kehoach_docs.model.evaluation import assess
    v = assess(_indicator(target, "Xếp hạng" if "/" in target else "%"), blank).verdict
    assert v == (Verdict.NO_TARGET if not target else Verdict.NO_RESULT)


@given(st.text(alphabet="abcdeghiklmnopqrstuvxyàáạăâđêôơư ", min_size=1, max_size=20), nums)
def test_targets_in_words_are_left_to_a_person(words, r):
    from kehoach_docs.model.evaluation import assess
    if parse_value(words).kind != Kind.TEXT:
        return
    assert assess(_indicator(words), format_number(r)).verdict == Verdict.MANUAL


_SCALARS = ["", "~", "null", "Null", "yes", "No", "on", "OFF", "y", "n", "true", "1", "-1", "+1", "0x1F", "0o17",
            "1_000", "1,5", "8,61", "1.234,5", ".5", ".inf", "-.Inf", ".nan", "2024-02-29", "2024-02-31",
            "2024-01-05 10:00:00", "=", "<<", "!", "&", "*", "Đạt", "95% trở lên", "TCKH", "Quý IV/2024",
            "01/7/2025", "-", "+", "0", "00", "1e3", "1.0e+3", "12:30", "190:20:30"]


@given(st.sampled_from(_SCALARS) | st.text(max_size=12),
       st.sampled_from(["{}", "'{}'", '"{}"', "!!str {}", "! {}", "!!int {}", "!!bool {}"]))
def test_scalars_read_as_pyyaml_reads_them(text, form):
    """The reader's short way for texts gives what PyYAML's resolver and constructor give, or the
    same refusal."""
    import math

    import yaml

    from kehoach_docs.source import yaml_file

    def slow(event):
        tag = event.tag
        if tag is None or tag == "!":
            tag = yaml_file._resolve(event.value, event.implicit)
        return yaml_file._scalar(yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style))

    def outcome(fn, event):
        try:
            value = fn(event)
        except Exception as exc:    # the short way must fail exactly where the long one does
            return ("failed", type(exc) in (ValueError, AttributeError, KeyError, IndexError, TypeError,
                                            yaml_file.Refused, yaml.YAMLError))
        return type(value), "nan" if isinstance(value, float) and math.isnan(value) else value

    quoted = text.replace("\\", "\\\\").replace('"', '\\"') if form.startswith('"') else text.replace("'", "''")
    try:
        events = [e for e in yaml.parse("v: " + form.format(quoted), Loader=yaml_file.LOADER)
                  if isinstance(e, yaml.ScalarEvent)]
    except yaml.YAMLError:
        return          # not a scalar YAML reads at all
    assert len(events) == 2
    assert outcome(yaml_file._scalar_of, events[1]) == outcome(slow, events[1])


@given(st.recursive(st.text(alphabet="{}ctvb:x -SỬA", max_size=12) | st.integers()
                    | st.sampled_from(["{ct:gtsx}", "Quý {vb:nq-12:ngay}", "{ct:}", "{ct:a b}", "{{ct:x}}",
                                       "SỬA - nội dung", "SỬA {ct:gtsx}", "Đã SỬA", "SỬA", "SỬA ĐỔI, BỔ SUNG",
                                       "SỬA: số liệu"]),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=4), kids, max_size=4),
                    max_leaves=30))
def test_references_are_found_where_they_stand_in_order(data):
    """The cross-file check finds every text that holds a reference, and every one still beginning with
    the starter's mark, with its path, in the data's order."""
    from kehoach_docs.located import Located
    from kehoach_docs.model import crossref
    from kehoach_docs.model.refs import REF

    def walk(value, path):
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, path + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from walk(v, path + (i,))
    texts = list(walk(data, ()))
    left = re.compile(r"SỬA(\s*[-–:]|\s*$)")      # «SỬA - …», «SỬA: …», «SỬA»; not «SỬA ĐỔI»
    expected = ([(p, t) for p, t in texts if REF.search(t)], [(p, t) for p, t in texts if left.match(t)])
    assert crossref._texts_to_check(Located(data, "x.yaml")) == expected
