"""Many plans in one command (issue 14): a folder of commune plans built in one pool, each plan fresh
or stale on its own, a broken plan reported at the end without stopping the others, and the same
batch run on a Dask cluster giving the very same bytes."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from kehoach_docs.cli import main


@pytest.fixture
def communes(tmp_path):
    root = tmp_path / "tinh"
    for i in range(1, 5):
        shutil.copytree(FIXTURES / "xa-2027", root / f"xa-{i:02d}")
    return root


def outputs(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix in (".docx", ".xlsx")}


def test_a_folder_of_plans_in_one_command(communes, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(communes), "-o", str(out), "-j", "2"])
    assert res.exit_code == 0, res.output
    assert "4 kế hoạch: dựng 12 tệp, không đổi 0; 4 kế hoạch xong, 0 kế hoạch lỗi." in res.output
    assert sorted(p.name for p in out.iterdir()) == ["xa-01", "xa-02", "xa-03", "xa-04"]
    # the same bytes as each plan built alone
    alone = tmp_path / "alone"
    CliRunner().invoke(main, ["build", str(communes / "xa-02"), "-o", str(alone)])
    assert outputs(alone / "xa-02") == outputs(out / "xa-02")
    # each plan fresh on its own: one changed plan, one rebuilt
    main_file = communes / "xa-03" / "ke-hoach.yaml"
    main_file.write_text(main_file.read_text("utf-8").replace("năm 2027 trên địa bàn xã", "năm 2027 trên địa bàn", 1),
                         "utf-8")
    res = CliRunner().invoke(main, ["build", str(communes), "-o", str(out)])
    assert res.exit_code == 0 and "dựng 1 tệp, không đổi 11" in res.output, res.output
    # a broken plan is reported at the end, the others are built
    (communes / "xa-01" / "phu-luc-ii.yaml").write_text("nhiem_vu: [", "utf-8")
    res = CliRunner().invoke(main, ["reports", str(communes), "-o", str(tmp_path / "out2"), "-j", "2"])
    assert res.exit_code == 1
    assert "4 kế hoạch:" in res.output and "3 kế hoạch xong, 1 kế hoạch lỗi." in res.output
    assert "LỖI" in res.output and "xa-01" in res.output and "phu-luc-ii.yaml" in res.output
    assert (tmp_path / "out2" / "xa-04" / "tong-hop.docx").is_file()
    assert not (tmp_path / "out2" / "xa-01").exists()


def test_plans_of_the_same_name_are_refused(communes, tmp_path):
    other = tmp_path / "khac" / "xa-01"
    shutil.copytree(communes / "xa-01", other)
    res = CliRunner().invoke(main, ["build", str(communes / "xa-01"), str(other), "-o", str(tmp_path / "out")])
    assert res.exit_code == 1 and "cùng tên thư mục «xa-01»" in res.output


def test_a_dask_cluster_gives_the_same_bytes(communes, tmp_path):
    distributed = pytest.importorskip("distributed")
    local = tmp_path / "local"
    res = CliRunner().invoke(main, ["reports", str(communes), "-o", str(local), "-j", "2"])
    assert res.exit_code == 0, res.output
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        res = CliRunner().invoke(main, ["reports", str(communes), "-o", str(tmp_path / "dask"), "--executor", address])
    assert res.exit_code == 0, res.output
    assert outputs(tmp_path / "dask") == outputs(local)
    assert len(outputs(local)) > 4
    res = CliRunner().invoke(main, ["build", str(communes), "-o", str(tmp_path / "x"), "--executor", "dask://127.0.0.1:1"])
    assert res.exit_code == 1 and "Không kết nối được bộ điều phối Dask" in res.output


@pytest.mark.skipif(__import__("os").name != "posix", reason="POSIX signals")
def test_sigterm_to_the_command_alone_stops_every_plan_cleanly(tmp_path):
    """``kill PID`` (or ``timeout``, a service stopped) reaches the command alone, not its workers:
    it must do what Ctrl-C in the terminal does. Left to SIGTERM's default, the command died at once
    and its workers, ended later, left files on disk that no manifest records and temporary files."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time
    root = tmp_path / "tinh"
    for i in range(60):
        shutil.copytree(FIXTURES / "xa-2027", root / f"xa-{i:02d}")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "kehoach_docs", "-q", "reports", str(root), "-o", str(out),
                             "-j", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(FIXTURES.parent.parent)))
    while proc.poll() is None and not any(out.glob("*/bao-cao/*.docx")):    # the pool is at work
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err.decode()
    assert "Traceback" not in err.decode()
    assert "/60 kế hoạch trước khi dừng" in err.decode() and err.decode().rstrip().endswith("Đã dừng.")
    folders = [f for f in out.iterdir() if f.is_dir()]
    assert 0 < len(folders) < 60       # stopped part-way: later plans never begun
    for folder in folders:
        on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
                   and p.suffix in (".docx", ".xlsx")}
        manifest = folder / ".kehoach-manifest.json"
        recorded = set(json.loads(manifest.read_text("utf-8"))["outputs"]) if manifest.exists() else set()
        assert on_disk <= recorded, f"{folder.name}: {sorted(on_disk - recorded)} written, not recorded"
        assert not [p for p in folder.rglob("*.tmp")]
    # the next run finishes the rest
    res = CliRunner().invoke(main, ["reports", str(root), "-o", str(out), "-j", "2"])
    assert res.exit_code == 0, res.output
    assert not list(out.rglob("*.sua-tay*"))


@pytest.mark.skipif(not hasattr(__import__("os"), "killpg"), reason="POSIX process groups")
def test_ctrl_c_with_a_worker_idle_prints_no_traceback(tmp_path):
    """Ctrl-C in the terminal reaches every process of the command. A worker waiting for a plan printed
    the pool's queue as a KeyboardInterrupt traceback (found by an attack: one plan, two workers); it now
    only notes it, the plan being built records what it wrote, and the command says so."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time
    sys.path.insert(0, str(FIXTURES.parent.parent / "benchmarks"))
    from bench_batch import make_plan
    root = tmp_path / "tinh"
    make_plan(root, 300)          # one plan long enough to be stopped part-way
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "kehoach_docs", "reports", str(root), "-o", str(out), "-j", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                            env=dict(os.environ, PYTHONPATH=str(FIXTURES.parent.parent)))
    deadline = time.monotonic() + 120
    while proc.poll() is None and not any(out.glob("*/bao-cao/*.docx")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)      # as the terminal does
    said = proc.communicate(timeout=120)[0].decode()
    assert "Traceback" not in said, said
    if proc.returncode == 0:
        pytest.skip("the plan was done before the interrupt came")
    assert proc.returncode == 1 and "kế hoạch đang dựng dở giữ các tệp đã ghi" in said, said
    folder = next(f for f in out.iterdir() if f.is_dir())
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.suffix in (".docx", ".xlsx")}
    recorded = set(json.loads((folder / ".kehoach-manifest.json").read_text("utf-8"))["outputs"])
    assert on_disk <= recorded and not list(folder.rglob("*.tmp"))
