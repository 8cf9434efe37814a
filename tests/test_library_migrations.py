"""The library file on disk: private (0600, its -wal too), in WAL mode, shared
by two instances (one sees what the other has written, answers in batches),
migrated from an older version after a backup, refused (and left untouched)
when it is damaged, another program's or a newer version's, and an answer
streaming when the program is killed keeps what was written."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ernie_tui.library import (
    ROOT,
    SCHEMA_VERSION,
    Library,
    LibraryError,
    NotFoundError,
    Reference,
    _schema,
    default_path,
)

ROOT_DIR = Path(__file__).resolve().parent.parent
ACCOUNT = "qianfan:someone"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _pragma(path: Path, name: str) -> object:
    return _rows(path, f"PRAGMA {name}")[0][0]


def _v1_file(path: Path) -> None:
    """A library as version 1 wrote it: one conversation, a question and its answer."""
    db = sqlite3.connect(path, isolation_level=None)
    for statement in _schema.MIGRATIONS[0]:
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute("PRAGMA journal_mode = WAL")
    now = "2024-12-31T23:00:00.000000+00:00"
    db.execute(
        "INSERT INTO conversations (seq, id, account, backend, name, created, activity, model) "
        "VALUES (1, 'c1', ?, 'qianfan', 'From last year', ?, ?, 'ernie-4.0-turbo-8k')",
        (ACCOUNT, now, now),
    )
    db.execute(
        "INSERT INTO messages (seq, id, conversation, parent, role, text, created) "
        "VALUES (1, 'm1', 1, NULL, 'user', 'Old question', ?)",
        (now,),
    )
    db.execute(
        "INSERT INTO messages (seq, id, conversation, parent, role, text, model, created) "
        "VALUES (2, 'm2', 1, 1, 'assistant', 'Old answer', 'ernie-4.0-turbo-8k', ?)",
        (now,),
    )
    db.execute("UPDATE conversations SET current = 2 WHERE seq = 1")
    db.close()


# -- a new file -------------------------------------------------------------------


def test_a_new_library_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "data" / "ernie-tui" / "library.db"  # the directory is created too
    lib = Library(path)
    cid = lib.new_conversation(ACCOUNT, "private")
    lib.add_question(ACCOUNT, cid, "is this file mine alone?", ROOT)
    wal = path.with_name("library.db-wal")
    shm = path.with_name("library.db-shm")
    assert wal.exists() and shm.exists()
    assert {p.name: _mode(p) for p in (path, wal, shm)} == {
        "library.db": 0o600,
        "library.db-wal": 0o600,
        "library.db-shm": 0o600,
    }
    assert _mode(path.parent) == 0o700
    assert _pragma(path, "journal_mode") == "wal"
    assert _pragma(path, "user_version") == SCHEMA_VERSION
    assert _pragma(path, "foreign_keys") == 0  # a per-connection setting: the library's own is on
    assert lib._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    lib.close()
    assert Library(path).list_conversations(ACCOUNT).all()[0].name == "private"


def test_a_library_others_could_read_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    Library(path).close()
    os.chmod(path, 0o644)
    Library(path).close()
    assert _mode(path) == 0o600


# -- writing and reading the file ------------------------------------------------------


@dataclass(frozen=True)
class _Usage:
    prompt_tokens: int
    completion_tokens: int


def test_delete_takes_the_messages_too(tmp_path: Path) -> None:
    lib = Library(
        tmp_path / "library.db",
    )
    keep, gone = lib.new_conversation(ACCOUNT, "keep"), lib.new_conversation(ACCOUNT, "gone")
    for cid in (gone, keep):
        answer = lib.start_answer(ACCOUNT, cid, lib.add_question(ACCOUNT, cid, "q", ROOT), "m")
        lib.finish_answer(ACCOUNT, answer, text="a")
    assert lib.delete(ACCOUNT, [gone, gone, "no-such-id"]) == 1
    assert lib.open(ACCOUNT, gone) is None
    assert [s.name for s in lib.list_conversations(ACCOUNT).all()] == ["keep"]
    lib.close()
    assert _rows(tmp_path / "library.db", "SELECT count(*) FROM messages") == [(2,)]


def test_pieces_are_written_in_batches_and_the_end_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    lib = Library(path, flush_pieces=3, flush_interval=3600)
    cid = lib.new_conversation(ACCOUNT, "stream")
    q = lib.add_question(ACCOUNT, cid, "Tell me", ROOT)
    a = lib.start_answer(ACCOUNT, cid, q, "ernie-x1-turbo-32k")
    other = Library(path)  # another instance sees only what was written

    def on_disk() -> tuple[str, str, str]:
        (_, answer) = other.messages(ACCOUNT, cid) or ()
        return answer.text, answer.reasoning, answer.state

    lib.append_answer(ACCOUNT, a, reasoning="Let me think. ")
    lib.append_answer(ACCOUNT, a, "Once ")
    assert on_disk() == ("", "", "incomplete")  # not its own: a crash would show this
    lib.append_answer(ACCOUNT, a, "upon")
    assert on_disk() == ("Once upon", "Let me think. ", "incomplete")
    lib.append_answer(ACCOUNT, a, " a time")
    lib.flush()
    assert on_disk()[0] == "Once upon a time"
    (_, mine) = lib.messages(ACCOUNT, cid) or ()
    assert mine.state == "streaming"
    lib.finish_answer(
        ACCOUNT,
        a,
        usage=_Usage(12, 30),
        flag=1,
        citations=[Reference(1, "Grimm", "https://example.org/grimm")],
    )
    (_, answer) = other.messages(ACCOUNT, cid) or ()
    assert (answer.text, answer.state, answer.model) == (
        "Once upon a time",
        "complete",
        "ernie-x1-turbo-32k",
    )
    assert (answer.prompt_tokens, answer.completion_tokens, answer.flag) == (12, 30, 1)
    assert answer.citations == (Reference(1, "Grimm", "https://example.org/grimm"),)
    with pytest.raises(NotFoundError):
        lib.append_answer(ACCOUNT, a, "late")  # it ended


def test_the_default_file_is_in_the_data_directory() -> None:
    path = default_path()
    assert (path.name, path.parent.name) == ("library.db", "ernie-tui")


def test_the_library_all_is_exactly_its_public_names() -> None:
    import ernie_tui.library as library

    public = {n for n in dir(library) if not n.startswith("_")}
    public = {n for n in public if not isinstance(getattr(library, n), type(library))}
    assert set(library.__all__) == public


def test_the_library_loads_no_textual() -> None:
    code = "import sys, ernie_tui.library; print(any(m.startswith('textual') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- migrations ---------------------------------------------------------------------


def test_a_version_1_library_is_backed_up_then_migrated(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    _v1_file(path)
    lib = Library(path)
    assert _pragma(path, "user_version") == SCHEMA_VERSION
    (session,) = lib.list_conversations(ACCOUNT).all()
    assert (session.session_id, session.name) == ("c1", "From last year")
    question, answer = lib.messages(ACCOUNT, "c1") or ()
    assert (question.text, answer.text, answer.state) == ("Old question", "Old answer", "complete")
    assert (answer.prompt_tokens, answer.flag, answer.citations) == (None, 0, ())
    # The new columns work on the old rows.
    lib.finish_answer(ACCOUNT, answer.id, flag=2)
    assert (lib.messages(ACCOUNT, "c1") or ())[1].flag == 2
    backup = tmp_path / "library.db.bak-v1"
    assert _mode(backup) == 0o600
    assert _pragma(backup, "user_version") == 1
    assert _rows(backup, "SELECT text FROM messages ORDER BY seq") == [
        ("Old question",),
        ("Old answer",),
    ]
    assert _pragma(backup, "journal_mode") == "delete"  # one file
    lib.close()
    Library(path).close()  # a current file: no more backups
    assert sorted(p.name for p in tmp_path.glob("*.bak*")) == ["library.db.bak-v1"]


def test_an_earlier_backup_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    _v1_file(path)
    earlier = tmp_path / "library.db.bak-v1"
    earlier.write_bytes(b"an earlier backup")
    Library(path).close()
    assert earlier.read_bytes() == b"an earlier backup"
    assert _pragma(tmp_path / "library.db.bak-v1.2", "user_version") == 1


def test_a_failed_migration_leaves_the_file_at_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "library.db"
    _v1_file(path)
    broken = (*_schema.MIGRATIONS, ("CREATE TABLE conversations (x)",))  # it exists: fails
    monkeypatch.setattr(_schema, "MIGRATIONS", broken)
    monkeypatch.setattr(_schema, "SCHEMA_VERSION", len(broken))
    with pytest.raises(LibraryError, match="it was left as it is"):
        Library(path)
    assert _pragma(path, "user_version") == 1
    assert [r[1] for r in _rows(path, "PRAGMA table_info(messages)")][-1] == "created"
    assert _rows(path, "SELECT count(*) FROM messages") == [(2,)]
    assert (tmp_path / "library.db.bak-v1").exists()


# -- files that are refused -----------------------------------------------------------


def test_a_library_of_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    lib = Library(path)
    lib.new_conversation(ACCOUNT, "from the future")
    lib.close()
    _rows(path, f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    before = path.read_bytes()
    with pytest.raises(LibraryError) as caught:
        Library(path)
    message = str(caught.value)
    assert "newer version of ernie-tui" in message
    assert f"library version {SCHEMA_VERSION + 5}" in message
    assert "Update ernie-tui" in message
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*.bak*")) == []


def _another_programs_database(path: Path) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE contacts (name TEXT)")
    db.execute("INSERT INTO contacts VALUES ('someone')")
    db.close()


def _truncated_library(path: Path) -> None:
    lib = Library(path)
    cid = lib.new_conversation(ACCOUNT, "soon damaged")
    for n in range(40):
        lib.add_question(ACCOUNT, cid, f"question {n} " * 200, ROOT)
    lib.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"Not a database at all, just notes.\n"),
        lambda p: p.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40),
        lambda p: p.write_bytes(b"\x00" * 8192),
        _truncated_library,
        _another_programs_database,
    ],
    ids=["text", "garbage-after-header", "zeros", "truncated", "another-programs"],
)
def test_a_damaged_or_foreign_file_is_refused_untouched(
    tmp_path: Path, damage: Callable[[Path], object]
) -> None:
    path = tmp_path / "library.db"
    damage(path)
    before = path.read_bytes()
    with pytest.raises(LibraryError) as caught:
        Library(path).list_conversations(ACCOUNT)
    message = str(caught.value)
    assert "library.db" in message
    assert "move it away to start a new library" in message
    assert "Traceback" not in message
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*.bak*")) == []


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="it is a directory"):
        Library(tmp_path)


# -- a crash while an answer streams ----------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ernie_tui.library import Library

    lib = Library(Path(sys.argv[1]), flush_pieces=10**9, flush_interval=10**9)
    account = "qianfan:someone"
    cid = lib.new_conversation(account, "killed mid-answer")
    question = lib.add_question(account, cid, "Will this survive kill -9?", "0")
    answer = lib.start_answer(account, cid, question, "ernie-x1-turbo-32k")
    lib.append_answer(account, answer, reasoning="The question was kept first. ")
    lib.append_answer(account, answer, "Yes: what was ")
    lib.append_answer(account, answer, "flushed")
    lib.flush()
    lib.append_answer(account, answer, " and not this")  # still in memory
    print(cid, flush=True)
    sys.stdin.read()  # until killed
    """
)


def test_kill_9_mid_stream_keeps_the_question_and_the_flushed_answer(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT_DIR)}
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        cid = writer.stdout.readline().strip() if writer.stdout else ""
        assert cid, writer.stderr.read() if writer.stderr else ""
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
        for stream in (writer.stdin, writer.stdout, writer.stderr):
            if stream is not None:
                stream.close()
    assert writer.returncode == -signal.SIGKILL
    lib = Library(path)
    question, answer = lib.messages("qianfan:someone", cid) or ()
    assert question.text == "Will this survive kill -9?"
    assert (answer.text, answer.reasoning) == (
        "Yes: what was flushed",
        "The question was kept first. ",
    )
    assert answer.state == "incomplete"
    detail = lib.open("qianfan:someone", cid)
    assert detail is not None
    assert detail.current_chat_id == answer.id  # the next question follows it
