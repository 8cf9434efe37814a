"""The Qianfan API key as a credential: a keyring item of its own per host,
verified writes, no keyring → a plain explanation naming QIANFAN_API_KEY,
the environment overriding the keyring, pasted keys read without echoing
them, the key masked everywhere; and ``make_backend`` building each backend
from the settings and a credential (the Qianfan demo's too), against the real
server."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from conftest import Account
from keyring.backends import fail
from keyring_backend import ForgetfulKeyring, HangingKeyring, MemoryKeyring, RefusingKeyring

from ernie_tui.api import Secret
from ernie_tui.api_key import (
    API_KEY_SERVICE,
    ENV_API_KEY,
    ApiKeyCredential,
    delete_api_key,
    load_api_key,
    parse_api_key,
    save_api_key,
)
from ernie_tui.backends import WebBackend
from ernie_tui.backends.qianfan import QianfanBackend
from ernie_tui.config import Config, QianfanConfig
from ernie_tui.credentials import (
    SERVICE,
    Credential,
    KeyringUnavailableError,
    load_credential,
    save_credential,
)
from ernie_tui.library import SCHEMA_VERSION, Library, LibraryError
from ernie_tui.server import ServerThread
from ernie_tui.wiring import make_backend

KEY = "bce-v3/ALTAK-k3yId0123456789/" + "5ecret" * 6
HOST = "qianfan.baidubce.com"


@pytest.fixture(autouse=True)
def _keyring_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(ENV_API_KEY, raising=False)
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


def credential(key: str = KEY) -> ApiKeyCredential:
    return ApiKeyCredential(Secret(key), "session")


# -- the keyring item ---------------------------------------------------------------


def test_one_item_per_host_apart_from_the_cookies(memory: MemoryKeyring) -> None:
    cookies = Credential(Secret("BAIDUID0123456789"), Secret("bduss0123456789abcdef"))
    save_credential("127.0.0.1:8765", cookies)
    save_api_key("127.0.0.1:8765", credential())
    save_api_key(HOST, credential("bce-v3/ALTAK-other/0123456789abcdef"))
    assert set(memory.items) == {
        (SERVICE, "127.0.0.1:8765"),
        (API_KEY_SERVICE, "127.0.0.1:8765"),
        (API_KEY_SERVICE, HOST),
    }
    assert json.loads(memory.items[(API_KEY_SERVICE, "127.0.0.1:8765")]) == {"API_KEY": KEY}
    assert memory.calls[-2:] == ["set", "get"]  # the write was read back
    loaded = load_api_key("127.0.0.1:8765")
    assert loaded is not None and loaded.key == Secret(KEY) and loaded.source == "keyring"
    assert load_credential("127.0.0.1:8765") == Credential(
        cookies.baiduid, cookies.bduss_bfess, "keyring"
    )
    assert delete_api_key("127.0.0.1:8765") is True
    assert delete_api_key("127.0.0.1:8765") is False
    assert (SERVICE, "127.0.0.1:8765") in memory.items  # the cookies stay


def test_the_environment_overrides_the_keyring(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_api_key(HOST, credential())
    monkeypatch.setenv(ENV_API_KEY, "  bce-v3/ALTAK-fromenv/0123456789abcdef  ")
    loaded = load_api_key(HOST)
    assert loaded is not None and loaded.source == "environment"
    assert loaded.key == Secret("bce-v3/ALTAK-fromenv/0123456789abcdef")


def test_no_keyring_is_explained_with_the_environment_variable() -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailableError) as info:
        save_api_key(HOST, credential())
    assert ENV_API_KEY in str(info.value) and "ERNIE_BAIDUID" not in str(info.value)
    assert load_api_key(HOST) is None  # loading never raises
    with pytest.raises(KeyringUnavailableError, match=ENV_API_KEY):
        delete_api_key(HOST)


@pytest.mark.parametrize(
    ("backend", "reason"),
    [(ForgetfulKeyring(), "did not keep"), (RefusingKeyring(), "refused to store")],
)
def test_a_keyring_that_loses_the_key_is_reported_without_it(
    backend: MemoryKeyring, reason: str
) -> None:
    keyring.set_keyring(backend)
    with pytest.raises(KeyringUnavailableError, match=reason) as info:
        save_api_key(HOST, credential())
    assert KEY not in str(info.value) and "5ecret" not in str(info.value)


def test_a_hanging_keyring_times_out() -> None:
    backend = HangingKeyring()
    keyring.set_keyring(backend)
    try:
        with pytest.raises(KeyringUnavailableError, match=r"did not answer within 0\.2 s"):
            save_api_key(HOST, credential(), timeout=0.2)
        assert load_api_key(HOST, timeout=0.2) is None
    finally:
        backend.release.set()


@pytest.mark.parametrize("raw", ["not json", '{"API_KEY": ""}', '["x"]', '{"BDUSS_BFESS": "x"}'])
def test_a_damaged_item_is_no_key(memory: MemoryKeyring, raw: str) -> None:
    memory.items[(API_KEY_SERVICE, HOST)] = raw
    assert load_api_key(HOST) is None


# -- pasting and showing the key ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        KEY,
        f"  {KEY}\n",
        f"Bearer {KEY}",
        f"Authorization: Bearer {KEY}",
        f"QIANFAN_API_KEY={KEY}",
        f"export QIANFAN_API_KEY='{KEY}'",
        f'"{KEY}"',
    ],
)
def test_pasted_keys_are_understood(text: str) -> None:
    assert parse_api_key(text).key == Secret(KEY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Nothing was pasted"),
        (f"{KEY}\n{KEY}\n", "2 lines"),
        ("my 5ecret5ecret key", "not an API key"),
        ("5ecret", "too short"),
    ],
)
def test_bad_pastes_explain_without_echoing(text: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected) as info:
        parse_api_key(text)
    assert "5ecret" not in str(info.value)


def test_the_key_is_masked_everywhere() -> None:
    held = credential()
    assert held.masked == "bce-v3/ALTA…" + KEY[-4:]
    assert "5ecret5ecret" not in held.masked and "k3yId" not in held.masked
    for shown in (repr(held), str(held), f"{held}", repr(held.key)):
        assert KEY not in shown and "5ecret5ecret" not in shown
    other = ApiKeyCredential(Secret("0123456789abcdef0123456789abcdef"))
    assert other.masked == "0123…cdef"


# -- make_backend ----------------------------------------------------------------------


def _qianfan_config(server: ServerThread, library: Path | None = None) -> Config:
    url = server.base_url + "/v2"
    return Config(backend="qianfan", qianfan=QianfanConfig(base_url=url), library_path=library)


def _key() -> ApiKeyCredential:
    return credential(f"bce-v3/ALTAK-wire{os.getpid()}/{os.urandom(12).hex()}")


async def test_make_backend_builds_the_web_backend_on_cookies(
    server: ServerThread, account: Account
) -> None:
    config = Config(base_url=server.base_url)
    backend = make_backend(config, Credential(account.baiduid, account.bduss))
    assert isinstance(backend, WebBackend)
    try:
        await backend.verify()
    finally:
        await backend.aclose()
    with pytest.raises(TypeError):
        make_backend(config, credential())
    with pytest.raises(TypeError):
        make_backend(_qianfan_config(server), Credential(account.baiduid, account.bduss))


async def test_make_backend_keeps_qianfan_conversations_in_the_library(
    server: ServerThread, tmp_path: Path
) -> None:
    path = tmp_path / "library.db"
    key = _key()
    backend = make_backend(_qianfan_config(server, path), key)
    assert isinstance(backend, QianfanBackend)
    try:
        await backend.verify()
        async with backend.ask("hello from the wiring") as stream:
            async for _ in stream:
                pass
        session = stream.session_id
    finally:
        await backend.aclose()
    # The library the backend opened was closed with it; the conversation stays.
    with Library(path) as library:
        again = make_backend(_qianfan_config(server), key, library=library)
        listed = (await again.list_conversations()).all()
        await again.aclose()
        assert [s.session_id for s in listed] == [session]
        assert library.list_conversations("qianfan:someone-else").all() == ()
    for file in tmp_path.iterdir():  # the library, its -wal and -shm
        assert key.key.reveal().encode() not in file.read_bytes()


def _newer_library(path: Path) -> None:
    with Library(path):
        pass
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()


def _damaged_library(path: Path) -> None:
    path.write_bytes(b"not a library" * 100)


@pytest.mark.parametrize(
    ("make", "reason"), [(_damaged_library, "damaged"), (_newer_library, "newer version")]
)
def test_a_library_that_cannot_be_used_is_refused_and_left_as_it_is(
    server: ServerThread, tmp_path: Path, make: Callable[[Path], None], reason: str
) -> None:
    path = tmp_path / "library.db"
    make(path)
    before = path.read_bytes()
    with pytest.raises(LibraryError, match=reason) as info:
        make_backend(_qianfan_config(server, path), _key())
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == before


# -- the demo ------------------------------------------------------------------------------

_DEMO_PROBE = """
import asyncio, json
from ernie_tui.api import Session
from ernie_tui.cli.demo import start_qianfan_demo
from ernie_tui.config import Config
from ernie_tui.wiring import make_backend

async def main():
    config, credential = start_qianfan_demo(Config())
    backend = make_backend(config, credential)
    listed = (await backend.list_conversations()).all()
    details = [await backend.open(s) for s in listed]
    async with backend.ask("演示一下", listed[0].session_id, details[0].current_chat_id) as stream:
        async for _ in stream:
            pass
    await backend.aclose()
    print(json.dumps({
        "backend": config.backend, "base_url": config.qianfan.base_url,
        "library": str(config.library_path), "source": credential.source,
        "masked": credential.masked,
        "pinned": [s.pinned for s in listed],
        "thinking": [any(c.reasoning for c in d.messages) for d in details],
        "answer": stream.text,
    }))

asyncio.run(main())
"""


def test_the_qianfan_demo_has_its_own_seeded_library(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERNIE_", "QIANFAN_"))}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-c", _DEMO_PROBE], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["backend"] == "qianfan" and seen["base_url"].endswith("/v2")
    assert seen["source"] == "demo" and seen["masked"].startswith("bce-v3/ALTA…")
    assert len(seen["pinned"]) == 3 and seen["pinned"][0] is True and sum(seen["pinned"]) == 1
    assert sum(seen["thinking"]) == 1
    assert "演示一下" in seen["answer"]
    # The demo's library was its own, and it is gone once the program exited.
    assert not Path(seen["library"]).exists() and not Path(seen["library"]).parent.exists()
    assert not (tmp_path / "data").exists()  # the user's library was never touched
