"""Plans validated once and kept in the user's cache (source/model_cache.py): a hit is the plan and
the warnings that validating gives, any changed byte validates anew, a plan with an error is never
kept, and nothing in the cache can run code or pass for another plan."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from pathlib import Path

import pytest

from kehoach_docs.problems import InvalidInput
from kehoach_docs.source import model_cache, plan_dir
from kehoach_docs.source.plan_dir import load_plan

from conftest import EXAMPLE


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("KEHOACH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / model_cache.FOLDER


@pytest.fixture
def plan_copy(tmp_path) -> Path:
    target = tmp_path / "plans" / EXAMPLE.name
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("ket-qua"))
    return target


def no_validating(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("the plan was validated again")
    monkeypatch.setattr(plan_dir, "_validated", refuse)


def dumped(plan) -> list:
    return [plan.ke_hoach.model_dump(), [a.model_dump() for a in plan.co_quan_list],
            plan.phu_luc_i.model_dump(), plan.phu_luc_ii.model_dump()]


def test_a_plan_is_validated_once_and_the_same_plan_and_warnings_come_back(cache, plan_copy, monkeypatch):
    cold = load_plan(plan_copy)
    assert len(list(cache.iterdir())) == 1
    assert [str(p) for p in cold.problems.items]        # the example has two warnings: kept with it
    no_validating(monkeypatch)
    warm = load_plan(plan_copy)
    assert dumped(warm) == dumped(cold)
    assert [str(p) for p in warm.problems.items] == [str(p) for p in cold.problems.items]
    assert warm.name == cold.name and warm.root == cold.root
    assert list(warm.assigned("TCKH")[1]) and [t.ma for t in warm.assigned("TCKH")[1]] == \
        [t.ma for t in cold.assigned("TCKH")[1]]


def test_a_warning_names_its_file_as_the_clerk_reaches_it_now(cache, plan_copy, monkeypatch):
    monkeypatch.chdir(plan_copy.parent)
    cold = [str(p) for p in load_plan(plan_copy).problems.items]
    assert all(s.startswith(f"{plan_copy.name}/") for s in cold)
    monkeypatch.chdir(plan_copy)
    no_validating(monkeypatch)
    warm = [str(p) for p in load_plan(plan_copy).problems.items]
    assert warm == [s[len(plan_copy.name) + 1:] for s in cold]


@pytest.mark.parametrize("name", ["ke-hoach.yaml", "co-quan.yaml", "phu-luc-i.yaml", "phu-luc-ii.yaml"])
def test_a_changed_byte_in_any_file_validates_anew(cache, plan_copy, name):
    load_plan(plan_copy)
    f = plan_copy / name
    f.write_bytes(f.read_bytes() + b"\n# sua\n")
    validated = []
    real = plan_dir._validated
    plan_dir._validated = lambda *a: validated.append(1) or real(*a)
    try:
        load_plan(plan_copy)
    finally:
        plan_dir._validated = real
    assert validated and len(list(cache.iterdir())) == 2


def test_an_appendix_workbook_put_beside_the_plan_is_seen(cache, plan_copy):
    """The key holds every form an appendix may come in: a workbook added beside the YAML is read
    (and refused, as two sources of one appendix), not hidden by what was kept."""
    load_plan(plan_copy)
    (plan_copy / "phu-luc-ii.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(InvalidInput) as err:
        load_plan(plan_copy)
    assert "có cả phu-luc-ii.yaml và phu-luc-ii.xlsx" in str(err.value)


def test_a_plan_with_an_error_is_never_kept(cache, plan_copy):
    f = plan_copy / "phu-luc-i.yaml"
    f.write_text(f.read_text("utf-8").replace("don_vi: \"%\"", "don_vi: [1, 2]", 1), "utf-8")
    for _ in range(2):
        with pytest.raises(InvalidInput):
            load_plan(plan_copy)
    assert not cache.exists() or not list(cache.iterdir())


def well_formed(entry: Path, inputs, payload: bytes) -> None:
    _, key = model_cache._entry(inputs)
    entry.write_bytes(hashlib.sha256(key + payload).digest() + payload)


def test_an_entry_that_would_run_code_or_holds_no_plan_is_refused(cache, plan_copy, tmp_path):
    cold = load_plan(plan_copy)
    entry = next(cache.iterdir())
    inputs = plan_dir._inputs(plan_copy)
    witness = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return os.system, (f"touch {witness}",)
    for payload in (pickle.dumps(({"ke_hoach": Evil()}, [])),      # os.system
                    pickle.dumps(["không phải kế hoạch"]),             # no plan's shape
                    pickle.dumps((Path, [])),                          # a class, but not the model's
                    b"ckehoach_docs.model.plan\nBaseModel\n."):       # imported there, not defined there
        well_formed(entry, inputs, payload)     # the digest right: only the unpickler stands in the way
        assert dumped(load_plan(plan_copy)) == dumped(cold)
        assert not witness.exists()


def test_an_entry_of_another_plan_or_damaged_is_not_taken(cache, plan_copy, tmp_path):
    cold = load_plan(plan_copy)
    other = tmp_path / "khac" / plan_copy.name
    shutil.copytree(plan_copy, other)
    f = other / "ke-hoach.yaml"
    f.write_text(f.read_text("utf-8").replace("Tiên Lữ", "Tiên Lữ mới"), "utf-8")
    load_plan(other)
    mine = model_cache._entry(plan_dir._inputs(plan_copy))[0]
    theirs = model_cache._entry(plan_dir._inputs(other))[0]
    mine.write_bytes(theirs.read_bytes())           # the other plan's entry, renamed as this one's
    assert dumped(load_plan(plan_copy)) == dumped(cold)
    mine.write_bytes(mine.read_bytes()[:-20])       # cut short
    assert dumped(load_plan(plan_copy)) == dumped(cold)


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path, monkeypatch, plan_copy):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("KEHOACH_CACHE", str(blocker))
    assert dumped(load_plan(plan_copy)) == dumped(load_plan(plan_copy))


def test_a_file_saved_while_the_plan_is_validated_is_not_kept_under_the_old_bytes(cache, plan_copy, monkeypatch):
    """A save between reading the files for the key and validating them would put the new plan
    under the old bytes (found by a review): then undoing the save would bring back the wrong plan."""
    f = plan_copy / "phu-luc-i.yaml"
    old = f.read_bytes()
    real = plan_dir._validated

    def saved_meanwhile(*args):
        f.write_bytes(old.replace(b'ke_hoach: "8,61"', b'ke_hoach: "99,99"', 1))
        return real(*args)
    monkeypatch.setattr(plan_dir, "_validated", saved_meanwhile)
    assert b'ke_hoach: "8,61"' in old and "99,99" in str(dumped(load_plan(plan_copy)))
    monkeypatch.undo()
    assert not cache.exists() or not list(cache.iterdir())
    f.write_bytes(old)
    assert "99,99" not in str(dumped(load_plan(plan_copy)))


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_entry_others_could_have_written_is_not_taken(cache, plan_copy, monkeypatch):
    """An entry another user could have put there (a file or folder writable by others) is not
    taken: with its digest right, it would stand in for validation."""
    cold = load_plan(plan_copy)
    entry = next(cache.iterdir())
    os.chmod(entry, 0o666)
    no_validating(monkeypatch)
    with pytest.raises(AssertionError, match="validated again"):
        load_plan(plan_copy)
    os.chmod(entry, 0o644)
    os.chmod(cache, 0o777)
    with pytest.raises(AssertionError, match="validated again"):
        load_plan(plan_copy)
    os.chmod(cache, 0o755)
    assert dumped(load_plan(plan_copy)) == dumped(cold)


def test_an_entry_of_the_wrong_shape_is_a_miss_not_a_traceback(cache, plan_copy):
    cold = load_plan(plan_copy)
    entry = next(cache.iterdir())
    inputs = plan_dir._inputs(plan_copy)
    models, problems = pickle.loads(entry.read_bytes()[32:])
    for payload in ({k: v for k, v in models.items() if k != "phu_luc_ii"}, problems), \
                   (dict(models, co_quan=models["ke_hoach"]), problems), (models, [("canh-bao",)]):
        well_formed(entry, inputs, pickle.dumps(payload))
        assert dumped(load_plan(plan_copy)) == dumped(cold)
