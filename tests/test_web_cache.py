"""The web backend's cache in the local library, against the embedded server:
what arrives is kept and reads back the same without the network; what the
user deletes is gone, from search too; accounts and hosts never see each
other's; nothing of the cookies is in the file; a library that cannot be used
leaves the web backend working, saying why."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import Account
from support import seed

from ernie_tui.api import ConversationDetail, ErnieClient, Secret, Session, Timeouts
from ernie_tui.backends import Final, WebBackend
from ernie_tui.backends.web import web_account_of
from ernie_tui.backends.web_cache import KEEP_DELAY
from ernie_tui.config import Config
from ernie_tui.cookies import Credential
from ernie_tui.library import Library
from ernie_tui.server import ServerThread
from ernie_tui.wiring import SERVICE_ZONE, make_backend

IMAGE = '我画好了。<img src="http://127.0.0.1:1/image/cat.png" />'


def _client(server: ServerThread, account: Account) -> ErnieClient:
    return ErnieClient(
        account.baiduid,
        account.bduss,
        base_url=server.base_url,
        timeouts=Timeouts(connect=5, request=10, idle=10),
    )


def _other() -> Account:
    n = os.urandom(6).hex()
    return Account(Secret(f"OTHERBAIDUID{n}:FG=1"), Secret(f"other-bduss-{n}-" + "z" * 24))


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[Library]:
    with Library(tmp_path / "library.db", zone=SERVICE_ZONE) as lib:
        yield lib


def _backend(client: ErnieClient, library: Library, account: Account) -> WebBackend:
    return WebBackend(client, library, web_account_of(client.host, account.bduss))


def _seed_three(server: ServerThread, account: Account) -> dict[str, str]:
    ids = seed(
        server,
        account,
        [
            ("旅行计划 Trip", [("帮我规划一个杭州三日游", "第一天去西湖。")]),
            ("画一只猫", [("画一只猫", IMAGE)]),
            ("周报", [("帮我写一份周报的提纲", "一、本周工作"), ("再短一点", "好的。")]),
        ],
    )
    owner = server.store.account(account.bduss.reveal())
    server.store.pin(owner, int(ids["旅行计划 Trip"]), True)
    return ids


async def _open_all(backend: WebBackend) -> dict[str, ConversationDetail]:
    details = {}
    for session in (await backend.list_conversations()).all():
        detail = await backend.open(session)
        assert detail is not None
        details[session.session_id] = detail
    return details


async def test_list_and_histories_read_back_equal(
    server: ServerThread, client: ErnieClient, account: Account, library: Library, tmp_path: Path
) -> None:
    report = _seed_three(server, account)["周报"]
    backend = _backend(client, library, account)
    assert backend.capabilities.search and backend.cache_problem == ""
    assert backend.cached_conversations() is None  # nothing kept yet
    listed = await backend.list_conversations()
    assert [s.name for s in listed.top] == ["旅行计划 Trip"]
    assert backend.cached_conversations() == listed
    details = await _open_all(backend)
    for session in listed.all():
        assert backend.cached_detail(session) == details[session.session_id]
    cat = next(d for d in details.values() if d.base.name == "画一只猫")
    assert cat.histories[-1].urls  # the image is kept beside the text
    # A new run, without the network: the file gives the same.
    account_key = web_account_of(client.host, account.bduss)
    with Library(tmp_path / "library.db", zone=SERVICE_ZONE) as again:
        assert again.kept_conversations(account_key) == listed
        for session in listed.all():
            assert (
                again.kept_history(account_key, session.session_id) == details[session.session_id]
            )
    hits = backend.search("周报")
    assert hits and {(h.conversation, h.name) for h in hits} == {(report, "周报")}


async def test_a_fetched_history_is_written_after_it_is_shown_and_at_close(
    server: ServerThread, client: ErnieClient, account: Account, library: Library, tmp_path: Path
) -> None:
    # Writing 2,000 messages takes ~50 ms: the history reaches the caller (the
    # screen) first and is written a moment later, or when the backend closes.
    _seed_three(server, account)
    backend = _backend(client, library, account)
    key = web_account_of(client.host, account.bduss)
    listed = await backend.list_conversations()
    first, second = listed.normal[:2]
    detail = await backend.open(first)
    with Library(tmp_path / "library.db", zone=SERVICE_ZONE) as other:
        assert other.kept_history(key, first.session_id) is None  # not before the caller ran
        for _ in range(200):
            if other.kept_history(key, first.session_id) is not None:
                break
            await asyncio.sleep(KEEP_DELAY / 5)
        assert other.kept_history(key, first.session_id) == detail  # nothing else asked for it
        fetched = await backend.open(second)
        await backend.aclose()
        assert other.kept_history(key, second.session_id) == fetched


async def test_a_fetched_list_is_written_after_it_is_shown_and_at_close(
    server: ServerThread, client: ErnieClient, account: Account, library: Library, tmp_path: Path
) -> None:
    # The first list of a large account takes ~0.4 s to write and index: it
    # reaches the caller (the sidebar) first, and is written a moment later,
    # or when the backend closes.
    _seed_three(server, account)
    backend = _backend(client, library, account)
    key = web_account_of(client.host, account.bduss)
    listed = await backend.list_conversations()
    with Library(tmp_path / "library.db", zone=SERVICE_ZONE) as other:
        assert other.kept_conversations(key) is None  # not before the caller ran
        for _ in range(200):
            if other.kept_conversations(key) is not None:
                break
            await asyncio.sleep(KEEP_DELAY / 5)
        assert other.kept_conversations(key) == listed
        renamed = listed.normal[0].session_id
        await client.rename_conversation(renamed, "renamed elsewhere")
        again = await backend.list_conversations()
        await backend.aclose()
        kept = other.kept_conversations(key)
        assert kept == again
        session = kept.find(renamed)
        assert session is not None and session.name == "renamed elsewhere"


async def test_rename_pin_and_delete_follow_the_service(
    server: ServerThread, client: ErnieClient, account: Account, library: Library
) -> None:
    ids = _seed_three(server, account)
    backend = _backend(client, library, account)
    await _open_all(backend)
    report = ids["周报"]
    await backend.rename(report, "每周报告 weekly")
    await backend.set_pinned(report, True)
    kept = backend.cached_conversations()
    assert kept is not None
    assert kept.top[0] == Session(
        report, "每周报告 weekly", kept.top[0].create_time, 1, "", "EB35", True
    )
    assert kept == await backend.list_conversations()  # as the service now lists them
    await backend.delete([report])
    kept = backend.cached_conversations()
    assert kept is not None and kept.find(report) is None
    assert backend.cached_detail(Session(report, "")) is None
    assert backend.search("提纲") == ()
    assert backend.search("weekly") == ()


async def test_conversations_gone_from_the_service_leave_the_cache(
    server: ServerThread, client: ErnieClient, account: Account, library: Library
) -> None:
    ids = _seed_three(server, account)
    backend = _backend(client, library, account)
    await _open_all(backend)
    assert backend.search("西湖")
    owner = server.store.account(account.bduss.reveal())
    server.store.delete_sessions(owner, [int(ids["旅行计划 Trip"])])  # deleted elsewhere
    listed = await backend.list_conversations()
    assert backend.cached_conversations() == listed
    assert backend.search("西湖") == ()


async def test_a_finished_answer_is_added_to_the_cached_history(
    server: ServerThread, client: ErnieClient, account: Account, library: Library
) -> None:
    ids = _seed_three(server, account)
    backend = _backend(client, library, account)
    await _open_all(backend)
    report = ids["周报"]
    before = backend.cached_detail(Session(report, ""))
    assert before is not None
    async with backend.ask("加上下周计划 nextweek", report, before.current_chat_id) as stream:
        events = [e async for e in stream]
    final = events[-1]
    assert isinstance(final, Final)
    after = backend.cached_detail(Session(report, ""))
    assert after is not None
    assert after.histories[:-2] == before.histories
    question, answer = after.histories[-2:]
    assert (question.chat_id, question.role, question.text) == (
        final.user_chat_id,
        "user",
        "加上下周计划 nextweek",
    )
    assert (answer.chat_id, answer.role, answer.text) == (final.bot_chat_id, "robot", final.text)
    assert after.current_chat_id == final.bot_chat_id
    assert final.user_chat_id in [h.message for h in backend.search("nextweek")]
    # What the service gives when opened again is what was kept.
    fresh = await backend.open(after.base)
    assert fresh is not None
    assert [(c.chat_id, c.text) for c in fresh.histories] == [
        (c.chat_id, c.text) for c in after.histories
    ]
    # A new conversation is kept as it is created.
    async with backend.ask("第一次提问 brandnew", name="新的对话") as stream:
        events = [e async for e in stream]
    final = events[-1]
    assert isinstance(final, Final)
    kept = backend.cached_detail(Session(final.session_id, ""))
    assert kept is not None and kept.base.name == "新的对话"
    assert kept.histories[0].text == "第一次提问 brandnew"


async def test_two_accounts_on_one_file_never_see_each_other(
    server: ServerThread, account: Account, library: Library
) -> None:
    other = _other()
    seed(server, account, [("mine 我的", [("alpha 秘密甲", "one")])])
    seed(server, other, [("theirs 他的", [("beta 秘密乙", "two")])])
    async with _client(server, account) as a, _client(server, other) as b:
        mine, theirs = _backend(a, library, account), _backend(b, library, other)
        await _open_all(mine)
        await _open_all(theirs)
        mine_list, theirs_list = mine.cached_conversations(), theirs.cached_conversations()
        assert mine_list is not None and theirs_list is not None
        assert [s.name for s in mine_list.all()] == ["mine 我的"]
        assert [s.name for s in theirs_list.all()] == ["theirs 他的"]
        assert mine.search("秘密乙") == () and theirs.search("秘密甲") == ()
        assert mine.cached_detail(theirs_list.all()[0]) is None
        assert web_account_of(a.host, account.bduss) != web_account_of(b.host, other.bduss)


async def test_two_hosts_never_see_each_other(
    server: ServerThread, own_server: ServerThread, account: Account, library: Library
) -> None:
    seed(server, account, [("first host", [("on the first", "one")])])
    seed(own_server, account, [("second host", [("on the second", "two")])])
    async with _client(server, account) as a, _client(own_server, account) as b:
        first, second = _backend(a, library, account), _backend(b, library, account)
        await _open_all(first)
        await _open_all(second)
        first_list, second_list = first.cached_conversations(), second.cached_conversations()
        assert first_list is not None and second_list is not None
        assert [s.name for s in first_list.all()] == ["first host"]
        assert [s.name for s in second_list.all()] == ["second host"]
        assert second.search("first") == ()


async def test_the_file_holds_nothing_of_the_cookies_and_is_private(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    _seed_three(server, account)
    path = tmp_path / "library.db"
    config = Config(base_url=server.base_url, library_path=path)
    credential = Credential(account.baiduid, account.bduss)
    backend = make_backend(config, credential)
    assert isinstance(backend, WebBackend) and backend.cache is not None
    try:
        await _open_all(backend)
        assert backend.search("西湖")
    finally:
        await backend.aclose()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("library.db")]
    assert path in files
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
        data = file.read_bytes()
        for secret in (account.bduss.reveal(), account.baiduid.reveal()):
            # No piece of either cookie: any 10 characters of it.
            for start in range(0, len(secret) - 10):
                assert secret[start : start + 10].encode() not in data


async def test_a_damaged_library_leaves_the_web_backend_working(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    _seed_three(server, account)
    path = tmp_path / "library.db"
    path.write_bytes(b"this is not a database at all" * 100)
    config = Config(base_url=server.base_url, library_path=path)
    backend = make_backend(config, Credential(account.baiduid, account.bduss))
    assert isinstance(backend, WebBackend)
    try:
        # A fresh cache for this run, in memory; the file is left alone.
        assert backend.cache is not None and backend.capabilities.search
        assert "not an SQLite database" in backend.cache_problem
        assert "for this run only" in backend.cache_problem
        assert str(path) in backend.cache_problem
        assert backend.cached_conversations() is None
        listed = await backend.list_conversations()
        assert len(listed.all()) == 3
        assert await backend.open(listed.all()[0]) is not None
        assert backend.cached_conversations() == listed
        assert backend.search("西湖") != ()  # the history opened is searchable
    finally:
        await backend.aclose()
    assert path.read_bytes() == b"this is not a database at all" * 100  # left as it was


async def test_a_failing_cache_write_never_fails_the_request(
    server: ServerThread,
    client: ErnieClient,
    account: Account,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _seed_three(server, account)
    library = Library(tmp_path / "library.db")
    backend = _backend(client, library, account)
    library.close()  # every write now fails
    with caplog.at_level(logging.WARNING, logger="ernie_tui.backends"):
        listed = await backend.list_conversations()
        detail = await backend.open(listed.all()[0])
        await backend.rename(listed.all()[0].session_id, "renamed")
    assert len(listed.all()) == 3 and detail is not None
    assert "closed" in backend.cache_problem
    assert caplog.records
    for secret in (account.bduss.reveal(), account.baiduid.reveal()):
        assert secret not in caplog.text


def test_times_and_odd_values_read_back_as_given(library: Library) -> None:
    from ernie_tui.api import Chat, Conversations

    listed = Conversations(
        (),
        (
            Session("1", "a", "2024-02-29 23:59:59", state=0, plugin_ids="p1,p2", model="EB45T"),
            Session("2", "b", "not a time"),
            Session("3", "c", ""),
        ),
    )
    library.keep_conversations("web:t", listed)
    assert library.kept_conversations("web:t") == listed
    chats = (
        Chat("10", "user", "q", "2024-02-29 23:59:59"),
        Chat("11", "robot", "", "2024-03-01 00:00:00"),  # the service's empty placeholder
        Chat("12", "robot", "a\n[b](c)", "odd", urls=("u1", "u2")),
    )
    detail = ConversationDetail(listed.normal[0], chats, "12")
    library.keep_history("web:t", detail)
    assert library.kept_history("web:t", "1") == detail
    longer = ConversationDetail(listed.normal[0], (*chats, Chat("13", "user", "more")), "12")
    library.keep_history("web:t", longer)
    assert library.kept_history("web:t", "1") == longer
    assert library.kept_history("web:other", "1") is None
    assert library.kept_conversations("web:other") is None


def test_a_kept_history_is_searchable_and_so_is_what_follows(library: Library) -> None:
    """A fetched history is indexed in one go at the end of its transaction;
    single messages written afterwards are indexed one by one again."""
    from ernie_tui.api import Chat, Conversations

    listed = Conversations((), (Session("1", "Plans", "2026-03-01 09:00:00"),))
    library.keep_conversations("web:t", listed)
    chats = tuple(
        Chat(str(10 + i), "user" if i % 2 == 0 else "robot", f"第{i}条 周报提纲 note{i}")
        for i in range(40)
    )
    library.keep_history("web:t", ConversationDetail(listed.normal[0], chats, "49"))
    assert len(library.search("web:t", "周报提纲", limit=100)) == 40
    assert [h.message for h in library.search("web:t", "note7")] == ["17"]
    library.keep_turn(
        "web:t", "1", Chat("90", "user", "另一份月报"), Chat("91", "robot", "monthly outline")
    )
    assert [h.message for h in library.search("web:t", "月报")] == ["90"]
    assert [h.message for h in library.search("web:t", "outline")] == ["91"]
    assert library.search("web:other", "周报提纲") == ()
