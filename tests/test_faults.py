"""Index safety: a writer killed (SIGKILL) at any step leaves the previous index live and
answering identically; leftovers never break later builds; damaged or mismatched index
files are refused with a message that says how to rebuild."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qa.ingest import corpus
from qa.index import store
from qa.index.build import build
from qa.answer.engine import Assistant
from qa.index.store import IndexError_, live_generation, load

from conftest import SEEDS, write_corpus

Q = "What did the NEC ban?"
POINTS = ["files-written", "manifest-written", "renamed", "pointer-written", "committed"]


@pytest.fixture(scope="module")
def other_built(encoder, tmp_path_factory):
    """A different, small index's contents, to be written over the seed index."""
    folder = write_corpus(tmp_path_factory.mktemp("other"), {
        "ferry.txt": "Ferry news\n\nThe port council approved the new ferry budget on Tuesday. "
                     "The NEC of the ferry union banned overtime in protest.\n"})
    return build(corpus.load([folder]).articles, encoder)


def answer(index_dir: Path, encoder) -> dict:
    a = Assistant(index_dir)
    a.encoder = encoder
    return a.ask(Q).to_dict()


def save_in_killed_child(built, index_dir: Path, encoder, point: str) -> None:
    """store.save in a forked child that SIGKILLs itself at ``point`` (store.kill_at)."""
    pid = os.fork()
    if pid == 0:   # child: nothing but file writes happen here (no model, no threads used)
        try:
            store.save(built, index_dir, encoder.name, int(built.dense.vectors.shape[1]),
                       on_step=store.kill_at(point))
        finally:
            os._exit(3)    # reached only if the fault point was never hit
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status


@pytest.mark.parametrize("point", POINTS)
def test_kill_at_each_write_step_keeps_an_index_that_answers(seed_index, encoder, other_built, tmp_path, point):
    idx = tmp_path / "idx"
    shutil.copytree(seed_index, idx)
    old_gen, expected = live_generation(idx).name, answer(idx, encoder)
    save_in_killed_child(other_built, idx, encoder, point)
    if point == "committed":      # the switch happened: the new index is live and whole
        assert live_generation(idx).name != old_gen
        assert load(idx)[0].articles[0].doc_id == "ferry"
    else:                          # before the switch: the old index, byte for byte
        assert live_generation(idx).name == old_gen
        assert answer(idx, encoder) == expected
    leftovers = sorted(p.name for p in idx.iterdir() if p.name not in ("CURRENT", ".lock"))
    assert len(leftovers) >= 2, leftovers          # the kill did leave debris behind
    # A later build succeeds and sweeps every leftover away.
    gen = store.save(other_built, idx, encoder.name, int(other_built.dense.vectors.shape[1]))
    assert sorted(p.name for p in idx.iterdir()) == sorted([".lock", "CURRENT", gen.name])
    assert load(idx)[0].articles[0].doc_id == "ferry"


def test_concurrent_writers_never_delete_the_live_generation(seed_index, encoder, other_built, tmp_path):
    """Two writers at once: each one's clean-up must not remove what the other made live."""
    idx = tmp_path / "idx"
    shutil.copytree(seed_index, idx)
    pids = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                for _ in range(5):
                    store.save(other_built, idx, encoder.name, int(other_built.dense.vectors.shape[1]))
                code = 0
            finally:
                os._exit(code)
        pids.append(pid)
    codes = [os.waitpid(p, 0)[1] for p in pids]
    assert codes == [0] * 4, codes
    assert load(idx)[0].articles[0].doc_id == "ferry"
    assert [p.name for p in idx.iterdir() if p.is_dir()] == [live_generation(idx).name]


def test_a_writer_waits_for_the_lock(seed_index, encoder, other_built, tmp_path):
    import fcntl

    idx = tmp_path / "idx"
    shutil.copytree(seed_index, idx)
    old = live_generation(idx).name
    with open(idx / ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        t = threading.Thread(target=store.save, args=(other_built, idx, encoder.name,
                                                       int(other_built.dense.vectors.shape[1])))
        t.start()
        t.join(1.0)
        assert t.is_alive() and live_generation(idx).name == old   # blocked, nothing switched
    t.join(60)
    assert not t.is_alive() and live_generation(idx).name != old


@pytest.mark.slow
def test_qa_index_killed_mid_write_leaves_the_old_index(seed_index, encoder, tmp_path):
    """The real command, in its own process, killed between writing and switching."""
    idx = tmp_path / "idx"
    shutil.copytree(seed_index, idx)
    old_gen, expected = live_generation(idx).name, answer(idx, encoder)
    other = write_corpus(tmp_path / "c", {"a.txt": "News\n\nThe port council approved the ferry budget.\n"})
    env = {**os.environ, "QA_FAULT_POINT": "pointer-written", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-m", "qa.cli", "index", str(other), "--index", str(idx), "--quiet"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert live_generation(idx).name == old_gen and answer(idx, encoder) == expected
    assert any(p.name.startswith("CURRENT.") for p in idx.iterdir())     # it died mid-switch
    # The same command, not killed, then succeeds over the debris.
    env.pop("QA_FAULT_POINT")
    proc = subprocess.run([sys.executable, "-m", "qa.cli", "index", str(other), "--index", str(idx), "--quiet"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert len([p for p in idx.iterdir() if p.is_dir()]) == 1
    assert load(idx)[0].articles[0].doc_id == "a"


# ------------------------------------------------------------------ damaged or mismatched files
def _files(seed_index) -> list[str]:
    return sorted(json.loads((live_generation(seed_index) / "manifest.json").read_text())["files"])


def test_every_index_file_is_covered_by_a_checksum(seed_index):
    names = _files(seed_index)
    on_disk = sorted(p.name for p in live_generation(seed_index).iterdir() if p.name != "manifest.json")
    assert names == on_disk


@pytest.mark.parametrize("how", ["truncate", "flip", "append", "delete"])
def test_every_damaged_file_is_refused_with_how_to_rebuild(seed_index, tmp_path, how):
    for name in _files(seed_index):
        idx = tmp_path / f"{how}-{name}"
        shutil.copytree(seed_index, idx)
        p = live_generation(idx) / name
        data = p.read_bytes()
        if how == "truncate":
            p.write_bytes(data[: len(data) // 2])
        elif how == "flip":
            p.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
        elif how == "append":
            p.write_bytes(data + b"\n")
        else:
            p.unlink()
        with pytest.raises(IndexError_, match=r"(damaged|missing).*rebuild with `qa index`"):
            load(idx)


def test_an_edited_manifest_is_refused_not_a_traceback(seed_index, tmp_path):
    edits = {
        "files not a dict": lambda m: m.update(files=[1]),
        "file entry empty": lambda m: m["files"].update({"vectors.npy": {}}),
        "model a string": lambda m: m.update(model="x"),
        "bm25 a list": lambda m: m.update(bm25=[]),
        "dense missing": lambda m: m.pop("dense"),
        "tokenizer unknown": lambda m: m.update(tokenizer={"name": "other"}),
    }
    for what, edit in edits.items():
        idx = tmp_path / what.replace(" ", "-")
        shutil.copytree(seed_index, idx)
        mpath = live_generation(idx) / "manifest.json"
        m = json.loads(mpath.read_text())
        edit(m)
        mpath.write_text(json.dumps(m))
        with pytest.raises(IndexError_, match="rebuild"):
            load(idx)


def test_format_version_and_model_mismatch_name_the_fix(seed_index, tmp_path):
    idx = tmp_path / "idx"
    shutil.copytree(seed_index, idx)
    with pytest.raises(IndexError_, match=r"built with model .* rebuild with `qa index` or set QA_MODEL="):
        load(idx, model="another-model")
    mpath = live_generation(idx) / "manifest.json"
    m = json.loads(mpath.read_text())
    m["format_version"] = store.FORMAT_VERSION + 1
    mpath.write_text(json.dumps(m))
    with pytest.raises(IndexError_, match=rf"format version {store.FORMAT_VERSION + 1} .*rebuild with `qa index`"):
        load(idx)


# ------------------------------------------------------------------ under load (bench/load.py, shortened)
@pytest.mark.slow
def test_short_load_run_has_no_errors(tmp_path, seed_index):
    """bench/load.py against a real `qa serve` process: a few clients for a few seconds.
    (The 50-client, 60 s figures are in docs/reliability.md.)"""
    out = tmp_path / "load.json"
    idx = tmp_path / "idx"
    shutil.copytree(seed_index, idx)
    proc = subprocess.run([sys.executable, str(Path(__file__).parents[1] / "bench" / "load.py"), "--clients", "4",
                           "--chat-share", "0.25", "--duration", "4", "--warm-up", "2", "--phases", "load",
                           "--index", str(idx), "--json", str(out)], capture_output=True, text=True, timeout=600)
    res = json.loads(out.read_text())
    load = res["load"]
    assert load["clients"] == {"api": 3, "chat": 1}, proc.stdout
    assert load["api"]["requests"] > 0 and load["chat"]["requests"] > 0
    assert load["all"]["errors"] == 0, load["all"]["error_kinds"]
    assert load["server_env"]["QA_RATE_LIMIT"] == "0"
    assert load["rss_mib"]["after_warm_up"] > 0 and load["rss_mib"]["after_run"] > 0
