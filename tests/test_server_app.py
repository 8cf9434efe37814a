"""The embedded server itself: starting and stopping, refusing bad requests
without side effects, persistence, the control endpoints."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading

import httpx
import pytest

from ernie_tui.api import ErnieClient
from ernie_tui.server import (
    CONTROL_PREFIX,
    DEMO_BDUSS,
    Fault,
    ServerThread,
    Store,
    seed_demo,
)
from ernie_tui.server.bot import answer_for, split_increments
from ernie_tui.server.runner import listen

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


def test_the_server_sends_each_event_of_a_stream_as_it_is_written() -> None:
    """Connections the server accepts have Nagle's algorithm off, as a real
    streaming server's do: otherwise an event written while the one before is
    not yet acknowledged waits for that acknowledgement, and a client that
    reads events in batches gets them one read each."""

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        server = await asyncio.get_running_loop().create_server(Probe, sock=listen("127.0.0.1", 0))
        async with server:
            port = server.sockets[0].getsockname()[1]
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                return await asyncio.wait_for(seen, 10)
            finally:
                writer.close()

    assert asyncio.run(accepted_nodelay()) != 0


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
    bot = server.store.current_chat(account, asked.session_id)
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


# -- the control endpoints are for tests only ------------------------------------------


def test_control_endpoints_are_off_unless_asked_for() -> None:
    cookies = {"BDUSS_BFESS": "control-off-account"}
    with ServerThread(Store()) as plain:
        for method, path in [
            ("POST", f"{CONTROL_PREFIX}/faults"),
            ("DELETE", f"{CONTROL_PREFIX}/faults"),
            ("POST", f"{CONTROL_PREFIX}/seed"),
        ]:
            reply = httpx.request(
                method,
                f"{plain.base_url}{path}",
                json={"kind": "error", "code": 4, "conversations": 3},
                cookies=cookies,
            )
            assert reply.status_code == 404, path
        assert len(plain.state.faults) == 0
        listed = _post(plain, "/eb/session/list", {}, cookies=cookies)
        assert listed["data"]["sessions"] is None  # type: ignore[index]


def _ask_with_header(server: ServerThread, header: str) -> str:
    with httpx.stream(
        "POST",
        f"{server.base_url}/eb/chat/conversation/v2",
        json={"text": "hello", "sessionId": "", "parentChatId": "0"},
        headers={"X-Ernie-Fault": header},
        cookies={"BDUSS_BFESS": "fault-header-account"},
        timeout=10,
    ) as reply:
        return reply.read().decode()


def test_the_fault_header_works_only_with_control_on(server: ServerThread) -> None:
    header = '{"kind": "answer", "text": "INJECTEDANSWER"}'
    assert "INJECTEDANSWER" in _ask_with_header(server, header)  # the fixture: control on
    with ServerThread(Store()) as plain:
        assert "INJECTEDANSWER" not in _ask_with_header(plain, header)


# -- request bodies: capped, strict JSON, never a 500 ----------------------------------


def _raw(
    server: ServerThread, path: str, content: object, bduss: str = "raw-body-account"
) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}{path}",
        content=content,  # type: ignore[arg-type]
        headers={"Content-Type": "application/json"},
        cookies={"BDUSS_BFESS": bduss},
        timeout=30,
    )


def test_a_body_over_one_megabyte_is_refused_with_413(server: ServerThread) -> None:
    from ernie_tui.server import MAX_BODY

    name = "x" * (MAX_BODY - len('{"sessionName": ""}'))
    at_limit = _raw(server, "/eb/session/new", f'{{"sessionName": "{name}"}}'.encode())
    assert at_limit.status_code == 200 and at_limit.json()["code"] == 0
    over = _raw(server, "/eb/session/new", f'{{"sessionName": "{name}x"}}'.encode())
    assert over.status_code == 413
    assert "1 MB" in over.json()["msg"]

    def chunks() -> object:  # no Content-Length: the size is found while reading
        for _ in range(3):
            yield b" " * (MAX_BODY // 2)

    streamed = _raw(server, "/eb/chat/conversation/v2", chunks())
    assert streamed.status_code == 413
    # Only the conversation at the limit exists.
    listed = _post(server, "/eb/session/list", {}, cookies={"BDUSS_BFESS": "raw-body-account"})
    assert len(listed["data"]["sessions"]) == 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"sessionName": NaN}', "NaN"),
        (b'{"sessionName": "x", "pageSize": Infinity}', "Infinity"),
        (b'{"sessionName": -Infinity}', "Infinity"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"sessionName": ' * 50_000, "nested too deeply"),
        (b'{"sessionName": "\\ud800"}', "surrogate"),
        (b'{"sessionName": "\xff\xfe"}', "UTF-8"),
        (b'{"sessionName": ', "not valid JSON"),
    ],
    ids=["nan", "infinity", "-infinity", "deep-list", "deep-object", "surrogate", "latin1", "cut"],
)
def test_a_body_that_is_not_strict_json_is_a_400(
    server: ServerThread, body: bytes, words: str
) -> None:
    errors: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = errors.append  # type: ignore[method-assign]
    loggers = [logging.getLogger(n) for n in ("uvicorn", "uvicorn.error", "ernie_tui.server")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        reply = _raw(server, "/eb/session/new", body, bduss=f"strict-json-{words}")
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    assert reply.status_code == 400
    assert reply.json()["code"] != 0
    assert words in reply.json()["msg"]
    assert errors == []  # no "Exception in ASGI application", no traceback
    cookies = {"BDUSS_BFESS": f"strict-json-{words}"}
    listed = _post(server, "/eb/session/list", {}, cookies=cookies)
    assert listed["data"]["sessions"] is None  # type: ignore[index]


def test_a_fault_with_infinity_is_refused(server: ServerThread) -> None:
    reply = _raw(server, f"{CONTROL_PREFIX}/faults", b'{"kind": "stall", "seconds": Infinity}')
    assert reply.status_code == 400
    assert len(server.state.faults) == 0


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/eb/chat/history", {"sessionId": "9" * 30}),
        ("/eb/session/top/move", {"sessionId": str(1 << 63)}),
        ("/eb/session/delete", {"sessionIds": ["9" * 5000, -(1 << 64)]}),
        ("/eb/session/new", {"sessionId": "9" * 25, "sessionName": "x"}),
        ("/eb/share/key/gen", {"sessionId": "1", "botChatId": ["9" * 40]}),
        ("/eb/chat/conversation/v2", {"text": "q", "sessionId": "", "parentChatId": "9" * 30}),
        ("/eb/session/delete", {"sessionIds": [str(i) for i in range(40_000)]}),
    ],
    ids=["history", "pin", "delete", "rename", "share", "ask", "delete-40k"],
)
def test_ids_out_of_range_are_refused_not_a_500(
    server: ServerThread, path: str, body: dict[str, object]
) -> None:
    reply = httpx.post(
        f"{server.base_url}{path}",
        json=body,
        cookies={"BDUSS_BFESS": "big-id-account"},
        timeout=30,
    )
    assert reply.status_code == 200
    assert isinstance(reply.json()["code"], int)


# -- the share page ------------------------------------------------------------------

HOSTILE_NAME = '<img src=x onerror="alert(1)"> Trip & plans'
HOSTILE_ANSWER = "<script>alert('answer')</script> 第一段 & \x1b[31mred\x1b[0m"


async def test_a_share_link_opens_a_page_of_the_shared_answers_only(
    server: ServerThread, client: ErnieClient
) -> None:
    session_id = await client.new_conversation(HOSTILE_NAME)
    first = await client.ask("The first question <b>bold</b>?", session_id)
    server.state.faults.add(Fault("answer", text=HOSTILE_ANSWER))
    second = await client.ask("The second question", session_id, parent_chat_id=first.bot_chat_id)
    only_second = await client.share_conversation(session_id, [second.bot_chat_id])
    both = await client.share_conversation(session_id, [first.bot_chat_id, second.bot_chat_id])

    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as anyone:  # no cookie
        page = await anyone.get(f"/share/{only_second}")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in page.headers["content-security-policy"]
        html = page.text
        # Every text is escaped: no tag of the name or the answer survives.
        assert "<script" not in html and "<img" not in html and "<b>" not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Trip &amp; plans" in html
        assert "&lt;script&gt;alert(&#x27;answer&#x27;)&lt;/script&gt; 第一段 &amp; red" in html
        assert "\x1b" not in html
        # Only the shared answer and its question.
        assert "The second question" in html and "The first question" not in html

        whole = (await anyone.get(f"/share/{both}")).text
        assert "The first question &lt;b&gt;bold&lt;/b&gt;?" in whole
        assert "The second question" in whole and "2 answers" in whole

        for key in ("NOSUCH", "%3Cscript%3E", "x" * 300):
            missing = await anyone.get(f"/share/{key}")
            assert missing.status_code == 404
            assert "Share not found" in missing.text and "<script" not in missing.text

    # A deleted conversation takes its share page with it.
    await client.delete_conversations([session_id])
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as anyone:
        assert (await anyone.get(f"/share/{both}")).status_code == 404
