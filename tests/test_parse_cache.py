"""Data files read once and kept in the user's cache (source/parse_cache.py): a hit gives exactly
what reading gives, anything doubtful is read anew, and nothing in the cache can run code."""

from __future__ import annotations

import datetime
import os
import pickle
import shutil
from pathlib import Path

import pytest

from kehoach_docs.problems import Problems
from kehoach_docs.source import parse_cache, yaml_file
from kehoach_docs.source.plan_dir import load_plan

from conftest import EXAMPLE

TEXT = ("ten: Kế hoạch «thử» & <mẫu>\nngay: 2024-02-29\nluc: 2024-02-29 07:30:00+07:00\n"
        "so: 8.61\ndem: 12\nco: yes\nrong: ~\nbo: [a, 'b', 1.5]\n")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("KEHOACH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / parse_cache.FOLDER


def read(path: Path) -> tuple[dict | None, Problems]:
    problems = Problems()
    src = yaml_file.read_yaml(path, problems)
    return (src.data if src else None), problems


def no_parsing(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("the file was parsed again")
    monkeypatch.setattr(yaml_file, "_read", refuse)


def test_a_clean_file_is_read_once_and_the_same_data_comes_back(cache, tmp_path, monkeypatch):
    f = tmp_path / "a.yaml"
    f.write_text(TEXT, encoding="utf-8")
    first, problems = read(f)
    assert not problems.items and len(list(cache.iterdir())) == 1
    no_parsing(monkeypatch)
    second, problems = read(f)
    assert second == first and not problems.items
    assert type(second["ngay"]) is datetime.date and second["so"] == 8.61 and second["co"] is True
    assert second["luc"].utcoffset() == datetime.timedelta(hours=7)


def test_bom_and_windows_line_ends_read_as_the_same_entry(cache, tmp_path, monkeypatch):
    (tmp_path / "a.yaml").write_text(TEXT, encoding="utf-8")
    first, _ = read(tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_bytes(b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode("utf-8"))
    no_parsing(monkeypatch)
    assert read(tmp_path / "b.yaml")[0] == first


def test_a_changed_byte_is_read_anew(cache, tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text(TEXT, encoding="utf-8")
    read(f)
    f.write_text(TEXT.replace("8.61", "8.62"), encoding="utf-8")
    assert read(f)[0]["so"] == 8.62
    assert len(list(cache.iterdir())) == 2


def test_a_file_with_a_problem_is_not_kept_and_says_so_every_time(cache, tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text("ten: có\u200bký tự ẩn\n", encoding="utf-8")
    for _ in range(2):
        data, problems = read(f)
        assert data == {"ten": "cóký tự ẩn"}
        assert [p.message for p in problems.items] and "U+200B" in problems.items[0].message
    assert not cache.exists() or not list(cache.iterdir())


def test_a_damaged_entry_is_read_anew_and_made_again(cache, tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text(TEXT, encoding="utf-8")
    first, _ = read(f)
    entry = next(cache.iterdir())
    entry.write_bytes(entry.read_bytes()[:40])
    assert read(f)[0] == first
    assert pickle.loads(entry.read_bytes()[32:]) == first


def entry_of(text: str, payload: bytes) -> tuple[Path, bytes]:
    """The entry path of a file holding ``text``, and ``payload`` as a well-formed entry there."""
    import hashlib
    path, key = parse_cache._entry(text.encode("utf-8"))
    return path, hashlib.sha256(key + payload).digest() + payload


def test_an_entry_of_another_file_or_changed_in_any_byte_is_not_taken(cache, tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(TEXT, encoding="utf-8")
    b.write_text(TEXT.replace("8.61", "9"), encoding="utf-8")
    first, _ = read(a)
    read(b)
    path_a, _ = entry_of(TEXT, b"")
    path_b, _ = entry_of(TEXT.replace("8.61", "9"), b"")
    path_a.write_bytes(path_b.read_bytes())         # b's entry, renamed as a's
    assert read(a)[0] == first
    good = path_a.read_bytes()
    flipped = good.replace("Kế hoạch".encode(), "Kế hoạcx".encode())
    assert flipped != good
    path_a.write_bytes(flipped)                     # a text byte changed: a well-formed pickle still
    assert read(a)[0] == first


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_or_device_in_place_of_an_entry_is_a_miss_not_a_hang(cache, tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text(TEXT, encoding="utf-8")
    path, _ = entry_of(TEXT, b"")
    path.parent.mkdir(parents=True)
    os.mkfifo(path)         # nothing ever writes to it: a blocking read would wait for good
    assert read(f)[0]["so"] == 8.61
    os.unlink(path)
    os.symlink("/dev/zero", path)       # endless: a plain read would fill memory
    assert read(f)[0]["so"] == 8.61


def test_no_cache_folder_at_all_changes_nothing(tmp_path, monkeypatch):
    import kehoach_docs.user_cache as user_cache

    def homeless():
        raise RuntimeError("Could not determine home directory.")     # Path.home() with no HOME, no passwd entry
    monkeypatch.setattr(user_cache, "cache_home", homeless)
    f = tmp_path / "a.yaml"
    f.write_text(TEXT, encoding="utf-8")
    assert read(f)[0]["so"] == 8.61 and read(f)[0]["so"] == 8.61


def test_an_entry_that_would_run_code_is_refused(cache, tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text(TEXT, encoding="utf-8")
    first, _ = read(f)
    entry = next(cache.iterdir())
    witness = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return os.system, (f"touch {witness}",)
    # well-formed entries (their digest right), so only the unpickler stands in the way
    entry.write_bytes(entry_of(TEXT, pickle.dumps({"ten": Evil()}))[1])
    assert read(f)[0] == first
    assert not witness.exists()
    entry.write_bytes(entry_of(TEXT, pickle.dumps(["a list, not a file's mapping"]))[1])
    assert read(f)[0] == first


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("KEHOACH_CACHE", str(blocker))
    f = tmp_path / "a.yaml"
    f.write_text(TEXT, encoding="utf-8")
    data, problems = read(f)
    assert data["ten"] == "Kế hoạch «thử» & <mẫu>" and not problems.items
    assert read(f)[0] == data


def test_released_data_comes_back_from_the_cache(cache, tmp_path, monkeypatch):
    f = tmp_path / "a.yaml"
    f.write_text(TEXT, encoding="utf-8")
    src = yaml_file.read_yaml(f, Problems())
    first = src.data
    src.release()
    monkeypatch.setattr(yaml_file, "_Reader", None)     # no parser at all: only the cache can answer
    assert src.data == first and src.data is not first


def test_the_least_recently_used_entries_go_first(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    for i in range(10):
        p = folder / f"{i}.pickle"
        p.write_bytes(b"x" * 100)
        os.utime(p, ns=(i * 10**9, i * 10**9))
    parse_cache.prune(folder, limit=2000)
    assert len(list(folder.iterdir())) == 10       # within the limit: nothing goes
    parse_cache.prune(folder, limit=800)
    assert sorted(p.name for p in folder.iterdir()) == [f"{i}.pickle" for i in range(6, 10)]


def test_a_plan_read_from_the_cache_is_the_plan_read_from_its_files(cache, tmp_path, monkeypatch):
    plan_dir = tmp_path / EXAMPLE.name
    shutil.copytree(EXAMPLE, plan_dir)
    cold = load_plan(plan_dir)
    assert len(list(cache.iterdir())) >= 4
    no_parsing(monkeypatch)
    warm = load_plan(plan_dir)
    for part in ("ke_hoach", "phu_luc_i", "phu_luc_ii"):
        assert getattr(warm, part).model_dump() == getattr(cold, part).model_dump()
    assert [a.model_dump() for a in warm.co_quan_list] == [a.model_dump() for a in cold.co_quan_list]
    assert [str(p) for p in warm.problems.items] == [str(p) for p in cold.problems.items]
