"""Drafts shared by several instances of the app: each save merges under a
lock, so nobody loses anybody's drafts and a deleted draft stays deleted; the
file is replaced atomically, mode 0600, with no temporary file left behind."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

from ernie_tui.core.drafts import NEW_CONVERSATION, Drafts

ROOT = Path(__file__).resolve().parent.parent


def _on_disk(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".drafts-"))


def test_two_instances_keep_each_others_drafts(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    first, second = Drafts(path), Drafts(path)
    first.set("1", "first's draft")
    second.set("2", "second's draft")
    assert first.save() and second.save()
    assert _on_disk(path) == {"1": "first's draft", "2": "second's draft"}
    # After saving, each also holds what the other saved.
    assert second.get("1") == "first's draft"
    first.set("3", "more")
    assert first.save()
    assert first.get("2") == "second's draft"
    assert Drafts(path).get("3") == "more"


def test_a_deleted_draft_stays_deleted(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    seed = Drafts(path)
    for key in ("old", "keep", "moved"):
        seed.set(key, f"text of {key}")
    seed.save()
    first, second = Drafts(path), Drafts(path)
    first.set("old", "")  # deleted
    first.forget(["keep-nothing"])
    first.move("moved", "42")  # a new conversation got its id
    assert first.save()
    # The second still has "old" and "moved" in memory, but changed neither.
    second.set("new", "second's")
    assert second.save()
    assert _on_disk(path) == {
        "keep": "text of keep",
        "42": "text of moved",
        "new": "second's",
    }
    assert second.get("old") == "" and second.get("42") == "text of moved"


def test_the_same_draft_changed_by_both_is_the_last_writers(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    first, second = Drafts(path), Drafts(path)
    first.set(NEW_CONVERSATION, "first's question")
    second.set(NEW_CONVERSATION, "second's question")
    first.save()
    second.save()
    assert _on_disk(path) == {NEW_CONVERSATION: "second's question"}


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ernie_tui.core.drafts import Drafts

    path, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    drafts = Drafts(path)
    while not go.exists():
        time.sleep(0.01)
    for i in range(60):
        drafts.set(f"{name}-{i}", f"{name} draft {i}")
        if i % 3 == 2:
            drafts.set(f"{name}-{i - 1}", "")  # delete one of its own
        assert drafts.save()
    """
)


def test_two_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    seed = Drafts(path)
    seed.set("shared", "from before")
    seed.save()
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), name, str(go)], env=env, cwd=ROOT
        )
        for name in ("a", "b")
    ]
    go.touch()
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    expected = {"shared": "from before"}
    for name in ("a", "b"):
        for i in range(60):
            if i % 3 != 1:
                expected[f"{name}-{i}"] = f"{name} draft {i}"
    assert _on_disk(path) == expected
    assert _leftovers(tmp_path) == []


def test_the_file_is_private_and_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "data" / "drafts.json"
    drafts = Drafts(path)
    drafts.set("1", "草稿")
    assert drafts.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((path.parent / "drafts.json.lock").stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8").count("草稿") == 1  # readable, not escaped
    assert _leftovers(path.parent) == []
    assert not drafts.save()  # nothing changed: no write


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    seed = Drafts(path)
    seed.set("1", "safe")
    seed.save()
    # A real write failure: a file-size limit, so writing the temporary file fails.
    script = textwrap.dedent(
        """
        import resource, signal, sys
        from pathlib import Path
        from ernie_tui.core.drafts import Drafts

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        drafts = Drafts(Path(sys.argv[1]))
        drafts.set("2", "x" * 100_000)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        print(drafts.save(), drafts.dirty, drafts.get("2") == "x" * 100_000)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # Not saved, still to be saved, still in memory; the file as it was.
    assert done.stdout.split() == ["False", "True", "True"]
    assert "could not save drafts" in done.stderr
    assert _on_disk(path) == {"1": "safe"}
    assert _leftovers(tmp_path) == []


def test_a_damaged_file_is_kept_aside_not_thrown_away(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    path.write_text('{"1": "half a draft', encoding="utf-8")
    drafts = Drafts(path)
    assert drafts.get("1") == ""
    drafts.set("2", "new")
    assert drafts.save()
    assert _on_disk(path) == {"2": "new"}
    assert (tmp_path / "drafts.json.bad").read_text(encoding="utf-8") == '{"1": "half a draft'


def test_a_file_that_cannot_be_read_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    drafts = Drafts(path)
    drafts.set("2", "mine")
    path.mkdir()  # something unreadable is where the file should be
    (path / "theirs").write_text("kept", encoding="utf-8")
    assert not drafts.save()
    assert drafts.dirty and drafts.get("2") == "mine"
    assert (path / "theirs").read_text(encoding="utf-8") == "kept"
    assert _leftovers(tmp_path) == []
    (path / "theirs").unlink()
    path.rmdir()
    assert drafts.save()
    assert _on_disk(path) == {"2": "mine"}
