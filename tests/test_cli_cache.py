"""``ernie-tui sync``, ``cache clear`` and ``logout``'s question about the
cache, as real subprocesses against the embedded server, the library in a
temporary data directory."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Account
from test_cli import Cli
from test_web_cache import seed

from ernie_tui.library import Library
from ernie_tui.server import ServerThread


class CacheCli(Cli):
    def __init__(self, tmp_path: Path, server: ServerThread, account: Account) -> None:
        super().__init__(tmp_path, server, account)
        self.config.write_text(
            f'base_url = "{server.base_url}"\n\n[library]\nsync_rate = 50\n', encoding="utf-8"
        )
        self.library = tmp_path / "data" / "ernie-tui" / "library.db"

    def web_rows(self) -> list[tuple[str, object]]:
        with sqlite3.connect(self.library) as db:
            return db.execute(
                "SELECT name, fetched FROM conversations WHERE backend = 'web'"
            ).fetchall()


@pytest.fixture
def cli(tmp_path: Path, server: ServerThread, account: Account) -> CacheCli:
    return CacheCli(tmp_path, server, account)


def _seed(server: ServerThread, account: Account, count: int) -> None:
    seed(server, account, [(f"对话 {i}", [(f"问题 {i}", f"回答 {i}")]) for i in range(count)])


def test_sync_fetches_everything_then_nothing(
    cli: CacheCli, server: ServerThread, account: Account
) -> None:
    _seed(server, account, 3)
    run = cli("sync")
    assert run.code == 0, run.err
    assert "syncing: 3/3 (3 fetched, 0 already kept, 0 failed)" in run.err
    assert "Synced 3 conversations: 3 fetched" in run.err
    assert "\r" not in run.err  # not a terminal: plain lines
    rows = cli.web_rows()
    assert len(rows) == 3 and all(fetched is not None for _, fetched in rows)
    assert stat.S_IMODE(cli.library.stat().st_mode) == 0o600
    data = cli.library.read_bytes()
    assert all(secret.encode() not in data for secret in cli.secrets)
    again = cli("sync")
    assert again.code == 0 and "0 fetched, 3 already kept" in again.err


def test_ctrl_c_stops_the_sync_and_keeps_what_it_fetched(
    cli: CacheCli, server: ServerThread, account: Account
) -> None:
    _seed(server, account, 8)
    cli.config.write_text(
        f'base_url = "{server.base_url}"\n\n[library]\nsync_rate = 4\n', encoding="utf-8"
    )
    proc = subprocess.Popen(
        cli.argv(["sync"]),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=cli.env(),
    )
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if "(2 fetched" in line:
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.stderr.read()
    code = proc.wait(timeout=60)
    cli.check_clean("".join(lines), rest)
    assert code == 130, rest
    assert "sync stopped" in rest and "Traceback" not in rest
    kept = [name for name, fetched in cli.web_rows() if fetched is not None]
    assert 2 <= len(kept) < 8
    again = cli("sync")
    assert again.code == 0
    assert f"{8 - len(kept)} fetched, {len(kept)} already kept" in again.err


def test_cache_clear_asks_for_yes_and_leaves_qianfan_alone(
    cli: CacheCli, server: ServerThread, account: Account
) -> None:
    _seed(server, account, 2)
    assert cli("sync").code == 0
    with Library(cli.library) as library:
        library.new_conversation("qianfan:someone", "本地的 local one")
    refused = cli("cache", "clear")
    assert refused.code == 2 and "--yes" in refused.err
    assert len(cli.web_rows()) == 2
    done = cli("cache", "clear", "--yes")
    assert done.code == 0, done.err
    assert "2 conversations deleted" in done.err
    assert cli.web_rows() == []
    with Library(cli.library) as library:
        assert [s.name for s in library.list_conversations("qianfan:someone").all()] == [
            "本地的 local one"
        ]
    assert "Nothing is cached" in cli("cache", "clear", "--yes").err


def test_cache_clear_is_per_account(
    cli: CacheCli, server: ServerThread, account: Account, tmp_path: Path
) -> None:
    _seed(server, account, 2)
    assert cli("sync").code == 0
    other = Account(account.baiduid, type(account.bduss)("another-bduss-" + "k" * 30))
    seed(server, other, [("别人的 theirs", [("q", "a")])])
    other_cli = CacheCli(tmp_path, server, other)
    assert other_cli("sync").code == 0
    assert len(cli.web_rows()) == 3
    assert "1 conversation deleted" in other_cli("cache", "clear", "--yes").err
    assert sorted(name for name, _ in cli.web_rows()) == ["对话 0", "对话 1"]
    assert "2 conversations deleted" in cli("cache", "clear", "--all", "--yes").err
    assert cli.web_rows() == []


def test_logout_keeps_or_clears_the_cache(
    cli: CacheCli, server: ServerThread, account: Account
) -> None:
    _seed(server, account, 2)
    assert cli("sync").code == 0
    kept = cli("logout")  # not a terminal: kept, and told how to clear it
    assert kept.code == 0 and "were kept" in kept.err and "--clear-cache" in kept.err
    assert len(cli.web_rows()) == 2
    quiet = cli("logout", "--keep-cache")
    assert quiet.code == 0 and "kept" not in quiet.err
    assert len(cli.web_rows()) == 2
    cleared = cli("logout", "--clear-cache")
    assert cleared.code == 0 and "2 conversations deleted" in cleared.err
    assert cli.web_rows() == []


@pytest.mark.skipif(sys.platform == "win32", reason="a pty")
def test_logout_on_a_terminal_asks(cli: CacheCli, server: ServerThread, account: Account) -> None:
    import pty

    _seed(server, account, 2)
    assert cli("sync").code == 0
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        cli.argv(["logout"]),
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli.env(),
    )
    os.close(follower)
    os.write(leader, b"y\n")
    _, err = proc.communicate(timeout=60)
    os.close(leader)
    text = err.decode()
    cli.check_clean(text)
    assert proc.returncode == 0, text
    assert "Also delete the 2 conversations" in text and "2 conversations deleted" in text
    assert cli.web_rows() == []
