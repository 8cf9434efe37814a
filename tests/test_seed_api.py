"""The seed document's synchronous ``Ernie`` API: one test per method checking
the returned shape against the seed's example, and the multi-turn flow."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Account

from ernie_tui import Ernie
from ernie_tui.api import NotSignedInError
from ernie_tui.server import ServerThread

SESSION_KEYS = {"sessionId": str, "createTime": str, "sessionName": str, "state": int}
SESSION_KEYS["pluginIds"] = str
CHAT_KEYS = {"chatId": str, "role": str, "text": str, "createTime": str}
SHARE_KEYS = {"shareId": str, "sessionId": str, "key": str, "createTime": str, "userId": str}


def shaped(obj: dict[str, Any], keys: dict[str, type]) -> bool:
    return set(obj) == set(keys) and all(isinstance(obj[k], t) for k, t in keys.items())


@pytest.fixture
def ernie(server: ServerThread, account: Account) -> Iterator[Ernie]:
    with Ernie(account.baiduid.reveal(), account.bduss.reveal(), base_url=server.base_url) as e:
        yield e


def test_getConversation(ernie: Ernie) -> None:
    pinned = ernie.newConversation("置顶")
    ernie.newConversation("你好")
    ernie.topConversation(pinned)
    result = ernie.getConversation()
    assert set(result) == {"top", "normal"}
    assert [s["sessionId"] for s in result["top"]] == [pinned]
    assert [s["sessionName"] for s in result["normal"]] == ["你好"]
    assert all(shaped(s, SESSION_KEYS) for s in result["top"] + result["normal"])


def test_newConversation(ernie: Ernie) -> None:
    session_id = ernie.newConversation("新会话")
    assert isinstance(session_id, str) and session_id.isdigit()


def test_renameConversation(ernie: Ernie) -> None:
    session_id = ernie.newConversation("旧")
    assert ernie.renameConversation(session_id, "新") is True
    assert ernie.getConversation()["normal"][0]["sessionName"] == "新"


def test_deleteConversation(ernie: Ernie) -> None:
    session_id = ernie.newConversation("x")
    assert ernie.deleteConversation(session_id) is True
    assert ernie.getConversation() == {"top": [], "normal": []}


def test_deleteConversations(ernie: Ernie) -> None:
    ids = [ernie.newConversation(n) for n in "abc"]
    assert ernie.deleteConversations(ids[:2]) is True
    assert [s["sessionId"] for s in ernie.getConversation()["normal"]] == [ids[2]]


def test_topConversation_and_cancelTopConversation(ernie: Ernie) -> None:
    session_id = ernie.newConversation("x")
    assert ernie.topConversation(session_id) is True
    assert ernie.getConversation()["top"][0]["sessionId"] == session_id
    assert ernie.cancelTopConversation(session_id) is True
    assert ernie.getConversation()["top"] == []


def test_getConversationDetail(ernie: Ernie) -> None:
    answer = ernie.ask("你好", "", "0")
    session_id = ernie.getConversation()["normal"][0]["sessionId"]
    detail = ernie.getConversationDetail(session_id)
    assert detail is not None
    assert set(detail) == {"base", "histories", "currentChatId"}
    assert shaped(detail["base"], SESSION_KEYS)
    assert all(shaped(c, CHAT_KEYS) for c in detail["histories"])
    assert detail["currentChatId"] == answer["botChatId"]
    assert ernie.getConversationDetail("1") is None


def test_getShareConversation_and_shareConversation(ernie: Ernie) -> None:
    answer = ernie.ask("分享", "", "0")
    session_id = ernie.getConversation()["normal"][0]["sessionId"]
    key = ernie.shareConversation(session_id, [answer["botChatId"]])
    assert isinstance(key, str) and len(key) == 6
    [share] = ernie.getShareConversation()
    assert shaped(share, SHARE_KEYS)
    assert (share["key"], share["sessionId"]) == (key, session_id)


def test_deleteShareConversation_and_deleteShareConversations(ernie: Ernie) -> None:
    answer = ernie.ask("分享", "", "0")
    session_id = ernie.getConversation()["normal"][0]["sessionId"]
    for _ in range(3):
        ernie.shareConversation(session_id, [answer["botChatId"]])
    shares = ernie.getShareConversation()
    assert ernie.deleteShareConversation(shares[0]["shareId"]) is True
    assert len(ernie.getShareConversation()) == 2
    assert ernie.deleteShareConversations(shares[0]["userId"]) is True
    assert ernie.getShareConversation() == []


def test_askStream(ernie: Ernie) -> None:
    items = list(ernie.askStream("画一枝牡丹花", "", "0"))
    *pieces, last = items
    assert pieces
    for piece in pieces:
        assert set(piece) == {"answer", "urls", "chatId", "done"}
        assert isinstance(piece["answer"], str) and isinstance(piece["urls"], list)
        assert piece["done"] is False and piece["chatId"] == last["botChatId"]
    assert set(last) == {"answer", "urls", "botChatId", "done"} and last["done"] is True
    assert last["answer"].startswith("我画好了") and "<img" not in last["answer"]
    assert len(last["urls"]) == 1 and all(isinstance(u, str) for u in last["urls"])
    assert [u for p in pieces for u in p["urls"]] == last["urls"]


def test_ask(ernie: Ernie) -> None:
    result = ernie.ask("你好", "", "0")
    assert set(result) == {"answer", "urls", "botChatId"}
    assert isinstance(result["answer"], str) and result["answer"]
    assert result["urls"] == [] and result["botChatId"].isdigit()


def test_multi_turn(ernie: Ernie, server: ServerThread, account: Account) -> None:
    first = ernie.ask("第一个问题", "", "0")
    session_id = ernie.getConversation()["normal"][0]["sessionId"]
    before = len(server.state.parents)
    *_, second = ernie.askStream("第二个问题", session_id, first["botChatId"])
    assert server.state.parents[before:] == [first["botChatId"]]
    owner = server.store.account(account.bduss.reveal())
    bot = server.store.chat(owner, int(second["botChatId"]))
    assert bot is not None
    asked = server.store.chat(owner, bot.parent)
    assert asked is not None and str(asked.parent) == first["botChatId"]

    detail = ernie.getConversationDetail(session_id)
    assert detail is not None
    real = [c for c in detail["histories"] if c["role"] == "user" or c["text"]]
    assert [(c["role"], c["text"]) for c in real] == [
        ("user", "第一个问题"),
        ("robot", first["answer"]),
        ("user", "第二个问题"),
        ("robot", second["answer"]),
    ]
    placeholders = [c for c in detail["histories"] if c not in real]
    assert [(c["role"], c["text"]) for c in placeholders] == [("robot", "")]
    assert detail["currentChatId"] == second["botChatId"]


def test_errors_are_the_clients(server: ServerThread) -> None:
    with Ernie("", "", base_url=server.base_url) as e, pytest.raises(NotSignedInError):
        e.getConversation()


def test_close_ends_the_thread_and_is_idempotent(server: ServerThread, account: Account) -> None:
    before = threading.active_count()
    ernie = Ernie(account.baiduid.reveal(), account.bduss.reveal(), base_url=server.base_url)
    ernie.newConversation("x")
    thread = ernie._thread
    assert thread.is_alive()
    ernie.close()
    ernie.close()
    assert not thread.is_alive() and ernie.closed
    assert ernie.client.closed
    assert threading.active_count() == before
    with pytest.raises(RuntimeError):
        ernie.getConversation()


def test_a_forgotten_ernie_does_not_leak_its_thread(server: ServerThread, account: Account) -> None:
    import gc

    ernie = Ernie(account.baiduid.reveal(), account.bduss.reveal(), base_url=server.base_url)
    ernie.newConversation("x")
    thread, client = ernie._thread, ernie.client
    del ernie
    gc.collect()
    assert not thread.is_alive()
    assert client.closed


def test_an_abandoned_askStream_closes_cleanly(ernie: Ernie, server: ServerThread) -> None:
    from ernie_tui.server import Fault

    server.state.faults.add(Fault("long", increments=300))
    stream = ernie.askStream("long", "", "0")
    next(stream)
    stream.close()
    # The client is usable straight after.
    assert ernie.getConversation()["normal"]
