"""The credential in the OS keyring: one item per host, verified writes, no
keyring → a plain explanation, a hanging keyring → a timeout, the environment
overriding the keyring, and pasted cookies parsed without echoing them."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring_backend import ForgetfulKeyring, HangingKeyring, MemoryKeyring, RefusingKeyring

from ernie_tui.api import Secret
from ernie_tui.credentials import (
    ENV_BAIDUID,
    ENV_BDUSS,
    SERVICE,
    Credential,
    KeyringUnavailableError,
    call_with_timeout,
    delete_credential,
    host_of,
    keyring_backend_name,
    keyring_usable,
    load_credential,
    parse_cookie_text,
    save_credential,
)

BAIDUID = "0A1B2C3D4E5F60718293A4B5C6D7E8F9:FG=1"
BDUSS = "Zk5TVmdqLXRlc3QtYmR1c3MtdmFsdWUtbm90LXJlYWw" + "x" * 40


@pytest.fixture(autouse=True)
def _keyring_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(ENV_BAIDUID, raising=False)
    monkeypatch.delenv(ENV_BDUSS, raising=False)
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


def credential() -> Credential:
    return Credential(Secret(BAIDUID), Secret(BDUSS), "session")


def test_one_item_per_host_holding_both_cookies(memory: MemoryKeyring) -> None:
    save_credential("yiyan.baidu.com", credential())
    save_credential("127.0.0.1:8765", Credential(Secret("OTHERBAIDUID1"), Secret("otherbduss1")))
    assert set(memory.items) == {(SERVICE, "yiyan.baidu.com"), (SERVICE, "127.0.0.1:8765")}
    assert json.loads(memory.items[(SERVICE, "yiyan.baidu.com")]) == {
        "BAIDUID": BAIDUID,
        "BDUSS_BFESS": BDUSS,
    }
    loaded = load_credential("yiyan.baidu.com")
    assert loaded is not None
    assert loaded.source == "keyring"
    assert loaded.baiduid == Secret(BAIDUID)
    assert loaded.bduss_bfess == Secret(BDUSS)
    # Saving again replaces the item rather than adding one.
    save_credential("yiyan.baidu.com", credential())
    assert len(memory.items) == 2


def test_write_is_verified_by_reading_it_back(memory: MemoryKeyring) -> None:
    save_credential("yiyan.baidu.com", credential())
    assert memory.calls[-2:] == ["set", "get"]


def test_a_keyring_that_keeps_nothing_is_reported() -> None:
    keyring.set_keyring(ForgetfulKeyring())
    with pytest.raises(KeyringUnavailableError, match="did not keep"):
        save_credential("yiyan.baidu.com", credential())


def test_a_keyring_that_refuses_is_reported_without_the_values() -> None:
    keyring.set_keyring(RefusingKeyring())
    with pytest.raises(KeyringUnavailableError, match="refused to store") as info:
        save_credential("yiyan.baidu.com", credential())
    assert BDUSS not in str(info.value) and BAIDUID not in str(info.value)


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_fail_and_null_backends_mean_no_keyring(
    backend: KeyringBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    keyring.set_keyring(backend)
    assert not keyring_usable()
    assert keyring_backend_name() == "none"
    with pytest.raises(KeyringUnavailableError) as info:
        save_credential("yiyan.baidu.com", credential())
    message = str(info.value)
    assert "dbus-run-session" in message
    assert ENV_BAIDUID in message and ENV_BDUSS in message
    assert "this run only" in message
    # Loading never raises: no keyring simply means no stored credential.
    assert load_credential("yiyan.baidu.com") is None
    with pytest.raises(KeyringUnavailableError):
        delete_credential("yiyan.baidu.com")


@pytest.mark.parametrize(
    ("platform", "remedy"),
    [
        ("darwin", "security unlock-keychain"),
        ("win32", "Credential Locker"),
        ("linux", "gnome-keyring-daemon --unlock"),
    ],
)
def test_remedies_fit_the_platform(
    platform: str, remedy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailableError, match=remedy):
        save_credential("yiyan.baidu.com", credential())


def _plaintext_backend() -> KeyringBackend:
    # Shaped like keyrings.alt's file backend, without importing keyrings.alt.
    cls = type(
        "PlaintextKeyring",
        (MemoryKeyring,),
        {"__module__": "keyrings.alt.file"},
    )
    backend: KeyringBackend = cls()
    return backend


def test_plaintext_file_backend_is_never_written() -> None:
    backend = _plaintext_backend()
    keyring.set_keyring(backend)
    assert not keyring_usable()
    with pytest.raises(KeyringUnavailableError):
        save_credential("yiyan.baidu.com", credential())
    assert "set" not in backend.calls  # type: ignore[attr-defined]


def test_chained_backends_skip_a_plaintext_member() -> None:
    plaintext = _plaintext_backend()
    memory = MemoryKeyring()

    class ChainerBackend(KeyringBackend):
        priority = 10  # type: ignore[assignment]
        backends = (plaintext, memory)

        def get_password(self, service: str, username: str) -> str | None:
            raise AssertionError("the chain itself must not be used")

        def set_password(self, service: str, username: str, password: str) -> None:
            raise AssertionError("the chain itself must not be used")

        def delete_password(self, service: str, username: str) -> None:
            raise AssertionError("the chain itself must not be used")

    keyring.set_keyring(ChainerBackend())
    save_credential("yiyan.baidu.com", credential())
    assert (SERVICE, "yiyan.baidu.com") in memory.items
    assert "set" not in plaintext.calls  # type: ignore[attr-defined]
    assert keyring_backend_name() == memory.name


def test_a_hanging_keyring_times_out() -> None:
    backend = HangingKeyring()
    keyring.set_keyring(backend)
    try:
        with pytest.raises(KeyringUnavailableError, match=r"did not answer within 0\.2 s"):
            save_credential("yiyan.baidu.com", credential(), timeout=0.2)
        assert load_credential("yiyan.baidu.com", timeout=0.2) is None
    finally:
        backend.release.set()


def test_environment_overrides_the_keyring(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_credential("yiyan.baidu.com", credential())
    monkeypatch.setenv(ENV_BAIDUID, "ENVBAIDUID0123456789:FG=1")
    monkeypatch.setenv(ENV_BDUSS, "env-bduss-0123456789")
    loaded = load_credential("yiyan.baidu.com")
    assert loaded is not None
    assert loaded.source == "environment"
    assert loaded.bduss_bfess == Secret("env-bduss-0123456789")
    # Only one of the two set: the keyring's credential is used.
    monkeypatch.delenv(ENV_BDUSS)
    loaded = load_credential("yiyan.baidu.com")
    assert loaded is not None and loaded.source == "keyring"


def test_delete_removes_the_item(memory: MemoryKeyring) -> None:
    save_credential("yiyan.baidu.com", credential())
    assert delete_credential("yiyan.baidu.com") is True
    assert load_credential("yiyan.baidu.com") is None
    assert delete_credential("yiyan.baidu.com") is False


def test_a_damaged_item_is_no_credential(memory: MemoryKeyring) -> None:
    memory.items[(SERVICE, "yiyan.baidu.com")] = "not json"
    assert load_credential("yiyan.baidu.com") is None


def test_call_with_timeout_passes_results_and_errors() -> None:
    assert call_with_timeout(lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        call_with_timeout(lambda: 1 // 0)


@pytest.mark.parametrize(
    "text",
    [
        f"Cookie: PSTM=1700000000; BAIDUID={BAIDUID}; BIDUPSID=X; BDUSS_BFESS={BDUSS}; H_PS=1",
        f"cookie: BAIDUID={BAIDUID};BDUSS_BFESS={BDUSS}",
        f"BAIDUID={BAIDUID}; BDUSS_BFESS={BDUSS}\n",
        f"{BAIDUID}\n{BDUSS}\n",
        f"BAIDUID={BAIDUID}\r\nBDUSS_BFESS={BDUSS}\r\n",
        f"-H 'Cookie: BAIDUID={BAIDUID}; BDUSS_BFESS={BDUSS}'",
        f"BAIDUID\t{BAIDUID}\t.baidu.com\t/\nBDUSS_BFESS\t{BDUSS}\t.baidu.com\t/",
        f'BAIDUID="{BAIDUID}"; BDUSS={BDUSS}',
    ],
    ids=["header", "header-lower", "pairs", "two-lines", "crlf", "curl", "devtools", "bduss"],
)
def test_pasted_cookies_are_understood(text: str) -> None:
    parsed = parse_cookie_text(text)
    assert parsed.baiduid == Secret(BAIDUID)
    assert parsed.bduss_bfess == Secret(BDUSS)
    assert BDUSS not in repr(parsed) and BAIDUID not in repr(parsed)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Nothing was pasted"),
        (f"BAIDUID={BAIDUID}", "No BDUSS_BFESS cookie"),
        (f"Cookie: BDUSS_BFESS={BDUSS}", "No BAIDUID cookie"),
        (f"BAIDUID={BAIDUID}; BDUSS_BFESS={BDUSS[:20]} {BDUSS[20:]}", "spaces"),
        (f"BAIDUID=; BDUSS_BFESS={BDUSS}", "BAIDUID cookie is empty"),
        (f"BAIDUID=abc; BDUSS_BFESS={BDUSS}", "too short"),
    ],
)
def test_bad_pastes_explain_without_echoing(text: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected) as info:
        parse_cookie_text(text)
    message = str(info.value)
    assert BDUSS[:20] not in message
    assert BAIDUID[:20] not in message


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://yiyan.baidu.com", "yiyan.baidu.com"),
        ("https://YIYAN.baidu.com/", "yiyan.baidu.com"),
        ("https://yiyan.baidu.com:443/eb", "yiyan.baidu.com"),
        ("http://127.0.0.1:8765", "127.0.0.1:8765"),
        ("http://[::1]:9000/", "[::1]:9000"),
        ("yiyan.baidu.com", "yiyan.baidu.com"),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host
