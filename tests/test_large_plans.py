"""A province's plan in little memory (issue 14): what the loader keeps, and what is rendered where.

Memory itself is measured by ``benchmarks/bench_process.py``; these tests check that each saving
changes nothing a clerk sees.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from decimal import Decimal

import pytest

from conftest import EXAMPLE, FIXTURES
from kehoach_docs.batch.jobs import json_pieces
from kehoach_docs.documents import LOCAL_ROWS, jobs_for, rows_in, templates_dir
from kehoach_docs.located import nearest
from kehoach_docs.problems import Problems
from kehoach_docs.source import yaml_file
from kehoach_docs.source.plan_dir import load_plan

PLANS = [EXAMPLE, FIXTURES / "tinh-kem-theo-2026-2030", FIXTURES / "xa-pl2-2026", FIXTURES / "xa-2027"]


def every_yaml():
    return sorted(p for folder in PLANS for p in folder.rglob("*.yaml"))


@pytest.mark.parametrize("path", every_yaml(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_location_found_alone_is_the_one_of_the_full_map(path):
    """Locations are found when a message asks, by reading the file again: one path at a time for a
    few messages, then every path at once; both give the line the full map gives."""
    full = yaml_file.read_yaml(path, Problems())
    where = dict(full.where)
    assert () in where and len(where) > 5
    rnd = random.Random(path.name)
    paths = rnd.sample(sorted(where, key=repr), min(30, len(where)))
    paths += [p + ("khong-co", 3) for p in paths[:5]] + [("khong-co",)]
    fresh = yaml_file.read_yaml(path, Problems())
    assert [fresh.locate(p) for p in paths] == [nearest(where, p) for p in paths]


def test_a_valid_plan_is_read_without_a_map_of_every_value(monkeypatch, tmp_path):
    """A plan without problems never asks where a value stands: no file is read a second time."""
    monkeypatch.setenv("KEHOACH_CACHE", str(tmp_path))     # validated here, not taken as validated before
    asked = []
    original = yaml_file._Reader.__init__

    def spy(self, file, where=False, target=None):
        if where:
            asked.append((file, target))
        original(self, file, where, target)
    monkeypatch.setattr(yaml_file._Reader, "__init__", spy)
    plan = load_plan(FIXTURES / "xa-2027")
    assert not plan.problems.items and asked == []
    plan = load_plan(EXAMPLE)        # two warnings: each found alone, no full map
    assert plan.problems.warnings and asked and all(target is not None for _, target in asked)


def test_raw_data_is_let_go_once_validated_and_read_again_only_when_asked(monkeypatch, tmp_path):
    """A file's raw rows are dropped as soon as its model is validated (a province's appendix would
    otherwise sit beside its models at the peak of reading); the cross-file checks label their
    messages from the models, so no file is parsed twice, and data asked for later is read again."""
    from kehoach_docs.located import Located
    monkeypatch.setenv("KEHOACH_CACHE", str(tmp_path))     # read from the files, not from earlier reads
    parsed, released = [], []
    original_init, original_release = yaml_file._Reader.__init__, Located.release

    def spy(self, file, where=False, target=None):
        if not where:
            parsed.append(Path(file).name)
        original_init(self, file, where, target)

    def release(self):
        released.append(Path(self.file).name)
        original_release(self)
    monkeypatch.setattr(yaml_file._Reader, "__init__", spy)
    monkeypatch.setattr(Located, "release", release)
    plan = load_plan(EXAMPLE)
    labelled = [p for p in plan.problems.warnings if p.file.endswith("phu-luc-i.yaml") and p.label]
    assert labelled and labelled[0].label.startswith("Phụ lục I, nhóm «MÔI TRƯỜNG, ĐÔ THỊ», chỉ tiêu «")
    main = ["ke-hoach.yaml", "co-quan.yaml", "phu-luc-i.yaml", "phu-luc-ii.yaml"]
    assert [n for n in parsed if n in main] == main and [n for n in released if n in main] == main

    src = yaml_file.read_yaml(EXAMPLE / "phu-luc-ii.yaml", Problems())
    held = src.data
    src.release()
    assert src._data is not held and src.data == held and src.data is src.data


def test_short_texts_are_read_once(tmp_path):
    """Keys and short values repeated on every row are one object each; the data is unchanged."""
    p = tmp_path / "x.yaml"
    p.write_text("rows:\n" + "".join(f"  - {{ma: r{i}, don_vi: '%', thoi_han: Quý IV/2024}}\n" for i in range(50)),
                 "utf-8")
    data = yaml_file.read_yaml(p, Problems()).data
    rows = data["rows"]
    assert rows[7] == {"ma": "r7", "don_vi": "%", "thoi_han": "Quý IV/2024"}
    assert len({id(r["thoi_han"]) for r in rows}) == 1
    assert len({id(k) for r in rows for k in r if k == "don_vi"}) == 1


def test_rows_share_one_set_of_given_field_names():
    plan = load_plan(EXAMPLE)
    tasks = plan.phu_luc_ii.nhiem_vu
    assert len({id(t.model_fields_set) for t in tasks}) < len(tasks) / 5
    assert tasks[0].model_fields_set >= {"ma", "noi_dung", "chu_tri", "thoi_han"}
    assert tasks[0] == type(tasks[0]).model_validate(tasks[0].model_dump())


def test_context_hash_text_is_json_dumps_in_pieces():
    """The data hash reads a long context piece by piece; the text hashed is json.dumps' own."""
    def plain(v):
        return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    plan = load_plan(EXAMPLE)
    for command in ("build", "reports"):
        for job in jobs_for(command, plan, templates_dir())[1]:
            value = [job.kind, job.writer, job.title, job.timestamp, job.extra, job.context]
            assert "".join(json_pieces(value)) == plain(value), job.output
    long = {"b": [{"x": Decimal("1.5"), "y": [f"dòng {i}" for i in range(3)]} for i in range(600)],
            "a": [[i, None, True] for i in range(300)], "c": {"d": list(range(400)), "e": "&<\"\n"}}
    pieces = list(json_pieces(long))
    assert "".join(pieces) == plain(long)
    # never the whole text at once: a long list comes in runs of at most 256 items
    assert len(pieces) > 6 and max(map(len, pieces)) < len(plain(long["b"])) / 2


def test_documents_as_large_as_the_plan_are_rendered_where_the_plan_is():
    plan = load_plan(EXAMPLE)
    jobs = list(jobs_for("reports", plan, templates_dir())[1])
    local = {j.output for j in jobs if j.local}
    assert local == {"tong-hop.docx"}
    assert rows_in({"a": [{"b": [1] * LOCAL_ROWS}]}) > LOCAL_ROWS
    assert rows_in({"nhiem_vu": [{"ma": "x"}] * 10, "ten": "y"}) == 10


def test_the_summary_is_built_after_the_agencies():
    """The summary's context (the largest) is built when its turn comes, not held from the start."""
    plan = load_plan(EXAMPLE)
    samples, jobs = jobs_for("reports", plan, templates_dir())
    outputs = [j.output for j in jobs]
    assert outputs[-1] == "tong-hop.docx" and outputs.count("tong-hop.docx") == 1
    assert {s.template.rsplit("/", 1)[-1] for s in samples if s.template} == {"bao-cao.docx", "tong-hop.docx"}


def test_the_summary_is_built_once_the_workers_are_gone(tmp_path):
    """The documents that summarise the whole plan are built after the pool's last document is back
    and the pool shut down, so the largest context of the command is never held beside the workers;
    the two parts of the stream are the whole stream, and the result is the same."""
    from kehoach_docs.batch.runner import run_jobs, warm_pool
    plan = load_plan(EXAMPLE)
    whole = [j.output for j in jobs_for("reports", plan, templates_dir())[1]]
    parts = [[j.output for j in jobs_for("reports", plan, templates_dir(), whole_plan=w)[1]] for w in (False, True)]
    assert parts[0] + parts[1] == whole and parts[1] == ["tong-hop.docx"]

    class Watched:      # the pool, telling whether it was shut down
        def __init__(self, inner):
            self.inner, self.closed = inner, False

        def submit(self, *args, **kw):
            return self.inner.submit(*args, **kw)

        def shutdown(self, *args, **kw):
            self.closed = True
            self.inner.shutdown(*args, **kw)

    seen = []

    def summaries():
        seen.append(pool.closed)
        yield from jobs_for("reports", plan, templates_dir(), whole_plan=True)[1]
    with warm_pool(2) as inner:
        pool = Watched(inner)
        outcome = run_jobs(jobs_for("reports", plan, templates_dir(), whole_plan=False)[1], tmp_path / "a",
                           pool=pool, close_pool=True, after=summaries())
    assert seen == [True] and not outcome.failed
    assert sorted(o for o, _ in outcome.built) == sorted(whole)
    serial = run_jobs(jobs_for("reports", plan, templates_dir())[1], tmp_path / "b", n_jobs=1)
    assert all((tmp_path / "a" / o).read_bytes() == (tmp_path / "b" / o).read_bytes() for o, _ in serial.built)


@pytest.mark.parametrize("value", ["!!bool x", "!!int ''", "!!int '-'", "!!float ''", "!!timestamp abc"])
def test_an_explicit_tag_that_does_not_fit_its_value_is_a_located_error(tmp_path, value):
    """PyYAML's constructors fail with KeyError or IndexError on these; the clerk gets the line."""
    p = tmp_path / "x.yaml"
    p.write_text(f"a: 1\na: 2\nb:\n  c: {value}\n", "utf-8")
    problems = Problems()
    assert yaml_file.read_yaml(p, problems) is None
    found = [(x.where, x.message) for x in problems.items]
    assert found[0] == ("2", "khóa «a» xuất hiện hai lần trong cùng một mục")   # found before it, kept
    assert found[1][0] == "4" and "không đọc được theo thẻ YAML !!" in found[1][1]


def test_the_collector_is_held_off_while_reading_and_never_left_off(monkeypatch, tmp_path):
    """Reading holds the collector off and gives it back, even when the plan is refused; workers
    forked meanwhile (the web app reads in one thread while another starts a batch) collect."""
    monkeypatch.setenv("KEHOACH_CACHE", str(tmp_path))     # read here, not taken as validated before
    import gc
    from kehoach_docs.batch.runner import warm_pool
    from kehoach_docs.memory import collector_held
    from kehoach_docs.problems import InvalidInput
    seen = []
    real = yaml_file.read_yaml

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)
    import kehoach_docs.source.plan_dir as plan_dir
    try:
        plan_dir.read_yaml = spy
        load_plan(EXAMPLE)
    finally:
        plan_dir.read_yaml = real
    assert seen and not any(seen) and gc.isenabled()
    with pytest.raises(InvalidInput):
        load_plan(FIXTURES / "khong-co-thu-muc-nay")
    assert gc.isenabled()
    with collector_held(), warm_pool(2) as pool:
        assert not gc.isenabled()
        assert all(pool.submit(gc.isenabled).result() for _ in range(4))
    assert gc.isenabled()


@pytest.mark.parametrize("warm", [True, False])
def test_the_plan_is_out_of_the_collectors_sight_while_the_pool_runs_and_only_then(tmp_path, monkeypatch, warm):
    """With workers, the plan just read is set aside from the collector (which would otherwise walk
    it just as the workers wait for their first documents) until the pool ends; nothing stays set
    aside after the command, also where the workers are not forked warm (Windows: a web server would
    keep every plan it regenerated), and without workers nothing is set aside at all."""
    import gc
    from kehoach_docs import app
    from kehoach_docs.batch import runner
    if not warm:      # as where the platform cannot fork
        monkeypatch.setattr(runner, "_context", lambda: None)
    seen = []
    real = app._render

    def spy(command, plan, *args, **kwargs):
        looked_at = {id(o) for o in gc.get_objects()}      # the frozen are not among them
        seen.append((kwargs["pool"] is not None, gc.get_freeze_count(), id(plan) in looked_at,
                     id(plan.chi_tieu) in looked_at))
        return real(command, plan, *args, **kwargs)
    monkeypatch.setattr(app, "_render", spy)
    before = gc.get_freeze_count()
    app.reports(EXAMPLE, tmp_path / "a", n_jobs=2)
    assert gc.get_freeze_count() == before
    app.reports(EXAMPLE, tmp_path / "b", n_jobs=1)
    assert gc.get_freeze_count() == before
    (pooled, frozen, plan_seen, rows_seen), (alone, _, plan_seen_alone, _) = seen
    assert pooled and frozen > before and not plan_seen and not rows_seen
    assert not alone and plan_seen_alone


def test_documents_as_large_as_the_plan_wait_until_the_workers_are_busy(tmp_path, monkeypatch):
    """A large document met first (an office that supports every task) is rendered in the main
    process only once a window of full chunks is with the workers, not while they wait for their
    first; every file is still written, the same bytes as a run without workers."""
    from concurrent.futures import ThreadPoolExecutor

    from kehoach_docs.batch import runner
    plan = load_plan(EXAMPLE)
    jobs = list(jobs_for("reports", plan, templates_dir(), whole_plan=False)[1])
    big = {jobs[0].output, jobs[-3].output}
    for job in jobs:
        job.local = job.output in big
    submitted, seen_at = [], {}
    real_render = runner.render_job

    def render_here(job, *rest):
        seen_at[job.output] = len(submitted)
        return real_render(job, *rest)
    monkeypatch.setattr(runner, "render_job", render_here)
    with ThreadPoolExecutor(2) as pool:
        real_submit = pool.submit
        pool.submit = lambda *a, **k: submitted.append(a) or real_submit(*a, **k)
        outcome = runner.run_jobs(iter(jobs), tmp_path / "pool", pool=pool, window=2, chunk=4)
    assert not outcome.failed and len(outcome.built) == len(jobs)
    assert set(seen_at) == big                          # rendered here, never sent to a worker
    assert not any(job.output in big for batch in submitted for job, *_ in batch[1])
    assert min(seen_at.values()) > 2 * 2                # after two windows: the first of quarter chunks
    alone = runner.run_jobs(iter(jobs), tmp_path / "alone", n_jobs=1)
    assert len(alone.built) == len(jobs)
    for job in jobs:
        assert (tmp_path / "pool" / job.output).read_bytes() == (tmp_path / "alone" / job.output).read_bytes()


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_no_more_large_contexts_are_held_than_before(tmp_path, monkeypatch, n_jobs):
    """However many documents are as large as the plan, at most two wait beside the one rendering
    (found by a review: all of them were held until the workers were busy); and a run without
    workers builds each context when its turn comes, not all at the start."""
    from concurrent.futures import ThreadPoolExecutor

    from kehoach_docs.batch import runner
    plan = load_plan(EXAMPLE)
    jobs = list(jobs_for("reports", plan, templates_dir(), whole_plan=False)[1])
    for job in jobs:
        job.local = n_jobs > 1
    pulled, ahead = [0], []

    def lazily():
        for job in jobs:
            pulled[0] += 1
            yield job
    real_render = runner.render_job

    def render_here(job, *rest):
        result = real_render(job, *rest)
        ahead.append(pulled[0] - len(ahead) - 1)     # jobs made but not yet rendered
        return result
    monkeypatch.setattr(runner, "render_job", render_here)
    if n_jobs == 1:
        outcome = runner.run_jobs(lazily(), tmp_path, n_jobs=1)
    else:
        with ThreadPoolExecutor(2) as pool:
            outcome = runner.run_jobs(lazily(), tmp_path, pool=pool, window=2, chunk=4)
    assert len(outcome.built) == len(jobs) == len(ahead)
    if n_jobs == 1:
        assert max(ahead) == 0, ahead
    else:   # the first four are made before anything (whether a pool is worth starting), as before
        assert max(ahead) <= 3 and max(ahead[4:]) <= 2, ahead


def test_a_chunk_is_rendered_then_packed_within_a_bound(tmp_path, monkeypatch):
    """A worker renders its chunk's documents, then packs them (each step keeps its code in the
    core's caches), holding at most PHASE_BYTES of rendered parts beyond the document that passed
    it; the files are the same bytes as documents packed one by one."""
    from kehoach_docs.batch import runner
    from kehoach_docs.batch.jobs import template_hash
    from kehoach_docs.render.package import unshared_size
    plan = load_plan(EXAMPLE)
    jobs = [j for j in jobs_for("reports", plan, templates_dir(), whole_plan=False)[1] if not j.local][:12]
    items = [(job, job.data_hash, template_hash(job)) for job in jobs]
    events = []
    real_parts, real_packed = runner._parts_of, runner._packed

    def parts_of(job):
        parts = real_parts(job)
        events.append(("render", unshared_size(parts)))
        return parts

    def packed(job, parts, *rest):
        events.append(("pack", unshared_size(parts)))
        return real_packed(job, parts, *rest)
    monkeypatch.setattr(runner, "_parts_of", parts_of)
    monkeypatch.setattr(runner, "_packed", packed)

    def held_at_most() -> int:
        held = most = 0
        for step, size in events:
            held += size if step == "render" else -size
            most = max(most, held)
        return most
    whole = runner.render_chunk(items, str(tmp_path / "whole"))
    assert [step for step, _ in events] == ["render"] * 12 + ["pack"] * 12
    assert not any(err for _, _, err, *_ in whole)
    sizes = [size for step, size in events if step == "render"]

    events.clear()
    bound = sum(sorted(sizes)[-2:])     # the two largest: a chunk is packed in several runs
    monkeypatch.setattr(runner, "PHASE_BYTES", bound)
    runner.render_chunk(items, str(tmp_path / "runs"))
    steps = [step for step, _ in events]
    assert steps.count("pack") == 12 and steps[-1] == "pack" and "render" in steps[steps.index("pack"):]
    assert held_at_most() <= bound + max(sizes)

    monkeypatch.setattr(runner, "PHASE_BYTES", 0)    # each document packed as soon as it is rendered
    events.clear()
    runner.render_chunk(items, str(tmp_path / "one-by-one"))
    assert [step for step, _ in events] == ["render", "pack"] * 12
    for job in jobs:
        assert (tmp_path / "whole" / job.output).read_bytes() == (tmp_path / "runs" / job.output).read_bytes() \
            == (tmp_path / "one-by-one" / job.output).read_bytes()
