"""The embedded server itself: starting and stopping, refusing bad requests
without side effects, persistence, the control endpoints."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest

from ernie_tui.server import (
    CONTROL_PREFIX,
    DEMO_BDUSS,
    Fault,
    ServerThread,
    Store,
    seed_demo,
)
from ernie_tui.server.bot import answer_for, split_increments

COOKIES = {"BAIDUID": "X:FG=1", "BDUSS_BFESS": "server-test-account"}


def _post(server: ServerThread, path: str, body: dict[str, object], **kw: object) -> object:
    cookies = kw.pop("cookies", COOKIES)
    reply = httpx.post(f"{server.base_url}{path}", json=body, cookies=cookies, timeout=10)  # type: ignore[arg-type]
    return reply.json()


def test_a_taken_port_fails_at_once_instead_of_hanging() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        before = threading.active_count()
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}"):
            ServerThread(Store(), port=port).start()
        assert threading.active_count() == before


def test_stop_ends_the_thread_and_start_reuses_the_port(own_server: ServerThread) -> None:
    port = own_server.port
    own_server.stop()
    assert not own_server.running
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{own_server.base_url}/eb/session/list", json={}, cookies=COOKIES)
    own_server.start()
    assert own_server.port == port
    assert _post(own_server, "/eb/session/list", {})["code"] == 0  # type: ignore[index]


def test_a_bad_parent_creates_no_conversation(server: ServerThread) -> None:
    cookies = {"BDUSS_BFESS": "bad-parent-account"}
    for parent in ("abc", "-5", "999999"):
        reply = _post(
            server,
            "/eb/chat/conversation/v2",
            {"text": "q", "sessionId": "", "parentChatId": parent},
            cookies=cookies,
        )
        assert reply["code"] != 0  # type: ignore[index]
    listed = _post(server, "/eb/session/list", {}, cookies=cookies)
    assert listed["data"]["sessions"] is None  # type: ignore[index]


def test_a_parent_from_another_conversation_is_refused(server: ServerThread) -> None:
    cookies = {"BDUSS_BFESS": "cross-parent-account"}
    ask = {"text": "q", "sessionId": "", "parentChatId": "0"}
    with httpx.stream(
        "POST", f"{server.base_url}/eb/chat/conversation/v2", json=ask, cookies=cookies
    ) as r:
        r.read()
    other = _post(server, "/eb/session/new", {"sessionName": "other"}, cookies=cookies)
    account = server.store.account("cross-parent-account")
    [asked] = [s for s in server.store.list_sessions(account, pinned=False) if s.name == "q"]
    bot = server.store.current_chat(asked.session_id)
    assert bot != 0
    reply = _post(
        server,
        "/eb/chat/conversation/v2",
        {"text": "q", "sessionId": other["data"]["sessionId"], "parentChatId": str(bot)},  # type: ignore[index]
        cookies=cookies,
    )
    assert reply["code"] != 0  # type: ignore[index]


def test_storage_survives_a_restart(tmp_path: object) -> None:
    from pathlib import Path

    db = Path(str(tmp_path)) / "ernie.db"
    with ServerThread(Store(db)) as first:
        created = _post(first, "/eb/session/new", {"sessionName": "持久"})
        first.store.close()
    with ServerThread(Store(db)) as second:
        listed = _post(second, "/eb/session/list", {})
    assert listed["data"]["sessions"][0]["sessionId"] == created["data"]["sessionId"]  # type: ignore[index]
    assert listed["data"]["sessions"][0]["sessionName"] == "持久"  # type: ignore[index]


def test_seed_endpoint_fills_an_account(server: ServerThread) -> None:
    cookies = {"BDUSS_BFESS": "seeded-account"}
    reply = _post(
        server, f"{CONTROL_PREFIX}/seed", {"conversations": 30, "messages": 10}, cookies=cookies
    )
    newest = reply["data"]["sessionIds"][-1]  # type: ignore[index]
    listed = _post(server, "/eb/session/list", {}, cookies=cookies)
    assert len(listed["data"]["sessions"]) == 30  # type: ignore[index]
    history = _post(server, "/eb/chat/history", {"sessionId": newest}, cookies=cookies)
    assert len(history["data"]["chats"]) == 10  # type: ignore[index]


def test_demo_account_is_seeded_once() -> None:
    store = Store()
    account = seed_demo(store)
    assert seed_demo(store) == account
    assert store.account(DEMO_BDUSS) == account
    assert len(store.list_sessions(account, pinned=True)) == 2
    assert len(store.list_sessions(account, pinned=False)) == 4


def test_demo_answers_are_markdown_and_tags_stay_whole() -> None:
    text = answer_for("explain lists")
    assert "## " in text and "```python" in text and "- " in text
    drawn = answer_for("draw a cat", image_base="http://h")
    pieces = split_increments(drawn)
    assert "".join(pieces) == drawn
    assert any(p.startswith("<img ") and p.endswith("/>") for p in pieces)
    assert "<br>" in pieces


def test_bad_fault_values_are_refused() -> None:
    with pytest.raises(ValueError):
        Fault("cut", after=-1)
    with pytest.raises(ValueError):
        Fault.from_json({"kind": "stall", "seconds": "long"})
    with pytest.raises(ValueError):
        Fault("explode")
