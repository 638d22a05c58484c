"""Hostile inputs, measured as the user meets them (issue 9): python benchmarks/bench_bounds.py

Each case runs the whole ``kehoach`` command as a process on one hostile input and
reports its wall time, its peak memory (maximum resident set of the process) and its
exit status, beside the limits the project holds itself to (2 s, 200 MB). The same
command on the sound example is measured first, as the baseline. Nothing is asserted:
the tests check each outcome's message, this file measures what it costs.

  alias-bomb   63 KB of nested YAML aliases in ke-hoach.yaml (validate)
  deep-nesting 5,000 nested lists in ke-hoach.yaml (validate)
  far-cell     a result workbook with one formatted empty cell at row 1,048,576 (collect)
  info-bomb    a 200 KB .docx whose custom properties inflate to 1 GB (info)
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "tien-lu-2024"
LIMIT_S, LIMIT_MB = 2.0, 200


def alias_bomb(p: str = "a") -> str:
    """Nine levels of nine aliases: 9^9 strings once expanded (about 1 KB as written)."""
    lines = [f'{p}0: &{p}0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{p}{i}: &{p}{i} [" + ",".join([f"*{p}{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


def prepare(work: Path) -> dict[str, list[str]]:
    """Make every hostile input in ``work``; return the command line of each case."""
    plans = {}
    bombs = "".join(alias_bomb(f"b{k}_") for k in range(60))     # about 63 KB
    for name, tail in (("sound", ""), ("alias-bomb", bombs),
                       ("deep-nesting", "d: " + "[" * 5000 + "]" * 5000 + "\n")):
        plan = work / name / "tien-lu-2024"
        shutil.copytree(EXAMPLE, plan)
        with open(plan / "ke-hoach.yaml", "a", encoding="utf-8") as fh:
            fh.write("\n" + tail)
        plans[name] = plan
    out = work / "out"
    subprocess.run([sys.executable, "-m", "kehoach_docs", "reports", str(plans["sound"]), "-o", str(out),
                    "--agency", "TCKH"], check=True, capture_output=True)
    import openpyxl
    book = work / "TCKH.xlsx"
    wb = openpyxl.load_workbook(out / "tien-lu-2024" / "bao-cao" / "TCKH.xlsx")
    wb["Chỉ tiêu"].cell(row=1048576, column=1).number_format = "0.00"
    wb.save(book)
    bomb = work / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("docProps/custom.xml", b"\0" * (1024 * 1024 * 1024 // 4))
    cmd = [sys.executable, "-m", "kehoach_docs"]
    return {
        "baseline: validate (sound plan)": cmd + ["validate", str(plans["sound"])],
        "alias-bomb: validate": cmd + ["validate", str(plans["alias-bomb"])],
        "deep-nesting: validate": cmd + ["validate", str(plans["deep-nesting"])],
        "far-cell: collect": cmd + ["collect", str(plans["sound"]), str(book), "-o", str(out)],
        "info-bomb: info": cmd + ["info", str(bomb)],
    }


def measure_one(argv: list[str]) -> None:
    """Run ``argv`` as a child and print its time, peak memory and status as JSON (one process each)."""
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, timeout=300)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    last = (proc.stdout + proc.stderr).decode("utf-8", "replace").strip().splitlines()
    print(json.dumps({"s": seconds, "mb": peak_kb / 1024, "rc": proc.returncode,
                      "said": next((l for l in last if "lỗi" in l), last[-1] if last else "")}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        measure_one(json.loads(args.one))
        return
    with tempfile.TemporaryDirectory(prefix="kehoach-bench-bounds-") as tmp:
        cases = prepare(Path(tmp))
        print(f"{'case':34} {'time':>7} {'peak':>8} {'exit':>4}  within {LIMIT_S:g} s and {LIMIT_MB} MB?")
        for name, argv in cases.items():
            # a fresh measuring process per case, so RUSAGE_CHILDREN holds that case alone
            raw = subprocess.run([sys.executable, __file__, "--one", json.dumps(argv)], capture_output=True,
                                 text=True, check=True, cwd=ROOT).stdout
            r = json.loads(raw)
            ok = "yes" if r["s"] <= LIMIT_S and r["mb"] <= LIMIT_MB else "NO"
            print(f"{name:34} {r['s']:6.2f}s {r['mb']:6.0f}MB {r['rc']:>4}  {ok}")
            print(f"{'':34} {r['said'][-110:]}")


if __name__ == "__main__":
    main()
