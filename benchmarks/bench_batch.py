"""Batch rendering benchmark (issue 5): python benchmarks/bench_batch.py [--agencies N] [--jobs J]

Makes a synthetic plan with N agencies (each with a few tasks and indicators, on top
of the Tiên Lữ example), then prints, side by side:

  (a) a naive loop: DocxTemplate(path), render, save for each agency's report;
  (b) our batch (prepared template per worker, parallel, deterministic packages);
  (c) the floor: writing the same document parts as zip files and nothing else;
  the no-op rebuild and the one-change rebuild; peak memory at N and 10×N.

Every figure is measured in this run; nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kehoach_docs.batch.runner import run_jobs  # noqa: E402
from kehoach_docs.documents import jobs_for, templates_dir  # noqa: E402
from kehoach_docs.pipeline import Freshness  # noqa: E402
from kehoach_docs.source.plan_dir import load_plan  # noqa: E402

EXAMPLE = ROOT / "data" / "tien-lu-2024"
TASKS_PER_AGENCY = 3
INDICATORS_PER_AGENCY = 3


def make_plan(dest: Path, n: int) -> Path:
    """The example plan plus ``n`` synthetic agencies, each with its tasks and indicators."""
    import yaml
    plan = dest / "bench-plan"
    shutil.copytree(EXAMPLE, plan, ignore=shutil.ignore_patterns("ket-qua"))
    reg = yaml.safe_load((plan / "co-quan.yaml").read_text("utf-8"))
    pl1 = yaml.safe_load((plan / "phu-luc-i.yaml").read_text("utf-8"))
    pl2 = yaml.safe_load((plan / "phu-luc-ii.yaml").read_text("utf-8"))
    group = {"ky_hieu": "E", "ten": "Chỉ tiêu của các đơn vị", "chi_tieu": []}
    for i in range(1, n + 1):
        code = f"DV{i:05d}"
        reg["co_quan"].append({"ma": code, "ten": f"Đơn vị thử nghiệm số {i}", "viet_tat": code,
                               "thu_truong": "Trưởng phòng"})
        for k in range(INDICATORS_PER_AGENCY):
            group["chi_tieu"].append({"ma": f"ct-{i}-{k}", "ten": f"Tỷ lệ hồ sơ đúng hạn nhóm {k + 1} của đơn vị {i}",
                                      "don_vi": "%", "ke_hoach": f"{90 + k},5", "muc_tieu": f"{91 + k}",
                                      "co_quan": code})
        for k in range(TASKS_PER_AGENCY):
            pl2["nhiem_vu"].append({"ma": f"nv-{i}-{k}", "noi_dung": f"Triển khai nhiệm vụ {k + 1} của đơn vị {i}; "
                                    "báo cáo kết quả định kỳ theo quy định", "thuoc": "quoc-phong-an-ninh",
                                    "chu_tri": code, "phoi_hop": ["VP"] if k == 0 else [], "thoi_han": "Quý IV/2024"})
    pl1["nhom"].append(group)
    for name, data in (("co-quan.yaml", reg), ("phu-luc-i.yaml", pl1), ("phu-luc-ii.yaml", pl2)):
        (plan / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return plan


def docx_jobs(plan, templates):
    return [j for j in jobs_for("reports", plan, templates)[1] if j.output.endswith(".docx") and j.output.startswith("bao-cao/")]


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def naive(jobs, out: Path) -> float:
    """(a) what a first script does: open the template for every document."""
    from docxtpl import DocxTemplate
    out.mkdir(parents=True)

    def loop():
        for job in jobs:
            tpl = DocxTemplate(job.template)
            tpl.render(job.context, autoescape=True)
            tpl.save(out / Path(job.output).name)
    return timed(loop)[0]


def floor(jobs, out: Path) -> float:
    """(c) the same parts (already rendered) written as zip files, and nothing else."""
    from kehoach_docs.render.docx_engine import prepared
    out.mkdir(parents=True)
    parts = [prepared(job.template).render_parts(job.context) for job in jobs]

    def write():
        for job, p in zip(jobs, parts):
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for name, data in p.items():
                    z.writestr(name, data)
            (out / Path(job.output).name).write_bytes(buf.getvalue())
    return timed(write)[0]


def batch(jobs, folder: Path, n_jobs: int, force=False):
    return timed(lambda: run_jobs(jobs, folder, force=force, n_jobs=n_jobs))


def child_memory(n: int, n_jobs: int, rounds: int = 1) -> dict:
    """Peak memory of a fresh process building the drafts of a plan with N agencies ``rounds``
    times over (made here, so that generating the synthetic data does not count)."""
    with tempfile.TemporaryDirectory() as tmp:
        plan_dir = make_plan(Path(tmp), n)
        proc = subprocess.run([sys.executable, __file__, "--memory-child", str(plan_dir), "--jobs", str(n_jobs),
                               "--rounds", str(rounds)], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _descendants_private_mb(pid: int) -> float:
    """Largest private memory (Private_Clean + Private_Dirty, the memory freed if it exited) among
    the processes below ``pid``, in MB (Linux /proc). Forked workers share the parent's pages until
    they write them, so this, not RSS, is what each worker adds."""
    parents = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(line for line in status.read_text().splitlines() if line.startswith("PPid:"))
        except (OSError, StopIteration):
            continue
        parents[int(status.parent.name)] = int(ppid.split()[1])
    best = 0.0
    for p in parents:
        q = parents[p]
        while q and q != pid:
            q = parents.get(q, 0)
        if q != pid:
            continue
        try:
            rollup = (Path("/proc") / str(p) / "smaps_rollup").read_text()
        except OSError:
            continue
        private = sum(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Private_"))
        best = max(best, private / 1024)
    return best


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM). Not ru_maxrss: that keeps the forking parent's size
    across exec, which would charge the benchmark's own memory to the child."""
    status = Path("/proc/self/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def memory_child(plan_dir: Path, n_jobs: int, rounds: int) -> None:
    import threading
    peak = {"worker": 0.0}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak["worker"] = max(peak["worker"], _descendants_private_mb(os.getpid()))
            time.sleep(0.05)

    with tempfile.TemporaryDirectory() as tmp:
        plan = load_plan(plan_dir)
        loaded = _peak_mb()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # the real pipeline, jobs generated lazily; the agencies' drafts only (the summary is
        # one document that itself grows with N)
        built = 0
        for r in range(rounds):     # the same plan again into another folder: more documents, same data
            jobs = (j for j in jobs_for("reports", plan, templates_dir())[1]
                    if j.output.startswith("bao-cao/") and j.output.endswith(".docx"))
            built += len(run_jobs(jobs, Path(tmp) / f"out{r}", n_jobs=n_jobs).built)
        stop.set()
        sampler.join()
        own = _peak_mb()
        print(json.dumps({"built": built, "main_mb": own, "render_mb": own - loaded,
                          "loaded_mb": loaded, "worker_mb": peak["worker"]}))


def command(plan_dir: Path, out: Path, templates: Path, n_jobs: int, force: bool = False):
    """What ``kehoach reports`` does for the drafts: fast no-op check, else load, contexts, render."""
    fresh = Freshness(plan_dir, out, [templates / "bao-cao.docx"], "bench")
    if not force and fresh.is_fresh():
        return None
    plan = load_plan(plan_dir)
    outcome = run_jobs(docx_jobs(plan, templates), out / fresh.folder.name, force=force, n_jobs=n_jobs)
    assert not outcome.failed, outcome.failed[:3]
    fresh.mark(outcome)
    return outcome


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=300, help="synthetic agencies (default 300)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    ap.add_argument("--memory-child", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--rounds", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child is not None:
        memory_child(args.memory_child, args.jobs, args.rounds)
        return
    n, cores = args.agencies, args.jobs
    templates = templates_dir()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        plan_dir = make_plan(tmp, n)
        t_load, plan = timed(lambda: load_plan(plan_dir))
        t_ctx, jobs = timed(lambda: docx_jobs(plan, templates))
        docs = len(jobs)
        print(f"kehoach batch benchmark: {docs} report drafts (.docx) for {n} synthetic agencies "
              f"+ the example's 19; {cores} worker process(es) on {os.cpu_count()} core(s)\n")
        t_naive = naive(jobs, tmp / "naive")
        t_floor = floor(jobs, tmp / "floor")
        t_batch1, _ = batch(jobs, tmp / "one", 1)
        t_batch, outcome = batch(jobs, tmp / "batch", cores)
        assert len(outcome.built) == docs and not outcome.failed
        # the whole command, as a clerk runs it: load and validate, contexts, render
        t_full, full = timed(lambda: command(plan_dir, tmp / "cmd", templates, cores))
        t_noop, noop = timed(lambda: command(plan_dir, tmp / "cmd", templates, cores))
        assert noop is None
        t_slow_noop, slow = timed(lambda: run_jobs(docx_jobs(load_plan(plan_dir), templates),
                                                   tmp / "cmd" / plan_dir.name, n_jobs=cores))
        assert not slow.built
        pl1 = plan_dir / "phu-luc-i.yaml"
        pl1.write_text(pl1.read_text("utf-8").replace("muc_tieu: '91'", "muc_tieu: '95'", 1), "utf-8")
        t_one, one = timed(lambda: command(plan_dir, tmp / "cmd", templates, cores))
        mem_n = child_memory(n, cores)
        mem_10n = child_memory(10 * n, cores)
        mem_10docs = child_memory(n, cores, rounds=10)

    def per(t):
        return t / docs * 1000      # ms per document

    per_core = t_batch * cores / docs * 1000
    rows = [
        ("(a) naive loop: DocxTemplate(path), render, save", t_naive, per(t_naive), ""),
        ("(b) our batch, 1 process", t_batch1, per(t_batch1), f"naive/batch = {t_naive / t_batch1:5.2f}×"),
        (f"(b) our batch, {cores} processes", t_batch, per(t_batch),
         f"naive/batch = {t_naive / t_batch:5.2f}×   (target ≥ 3×)"),
        ("(c) floor: the same parts written as zip files", t_floor, per(t_floor),
         f"batch per doc per core / floor = {per_core / per(t_floor):5.2f}×   (target ≤ 2×)"),
        ("full command (load + validate + contexts + render)", t_full, per(t_full), ""),
        ("no-op rebuild (input fingerprint unchanged)", t_noop, None,
         f"no-op / full = {t_noop / t_full * 100:5.1f} %   (target ≤ 5 %)"),
        ("no-op without the fingerprint (load, hash every context)", t_slow_noop, None,
         f"{t_slow_noop / t_full * 100:5.1f} % of full"),
        (f"one-change rebuild (one target; rebuilt {len(one.built)})", t_one, None,
         f"one-change / full = {t_one / t_full * 100:5.1f} %"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, t, ms, note in rows:
        ms_text = f"{ms:7.2f} ms/doc" if ms is not None else ""
        print(f"{name:<{width}}  {t:7.2f} s  {ms_text:>14}   {note}")
    print(f"\nof the full command: plan load and validation {t_load:.2f} s, contexts {t_ctx:.2f} s")
    print()
    for label, key, target in (("whole command, main process", "main_mb", "   (target ≤ 1.5×)"),
                               ("  of which after loading the plan", "loaded_mb", ""),
                               ("largest worker process (private)", "worker_mb", "")):
        a, b = mem_n[key], mem_10n[key]
        print(f"peak memory, {label:<34} N={n}: {a:6.1f} MB   10×N={10 * n}: {b:6.1f} MB   ratio {b / a:4.2f}×{target}")
    print(f"same plan, 10× the documents ({mem_10docs['built']} drafts): main {mem_10docs['main_mb']:.1f} MB "
          f"(ratio {mem_10docs['main_mb'] / mem_n['main_mb']:.2f}×), largest worker {mem_10docs['worker_mb']:.1f} MB "
          f"(ratio {mem_10docs['worker_mb'] / mem_n['worker_mb']:.2f}×)")


if __name__ == "__main__":
    main()
