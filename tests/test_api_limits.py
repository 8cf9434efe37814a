"""What a hostile or broken server cannot do to the client: hold an ordinary
request past its deadline by trickling bytes, grow an answer, a stream line or
a reply without bound, or get a password in the base URL shown anywhere.

Real HTTP throughout: the embedded server's faults, or a tiny hostile server
of the test's own (a plain socket on 127.0.0.1, one thread per connection).
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
import traceback
from collections.abc import Callable, Iterator

import pytest
from conftest import Account

from ernie_tui.api import (
    Ernie,
    ErnieClient,
    Limits,
    NetworkError,
    ProtocolError,
    ReplyTooLargeError,
    ServerTimeoutError,
    Timeouts,
    UrlAcsToken,
    display_url,
)
from ernie_tui.api._stream import ESCAPED_CHAR_BYTES
from ernie_tui.server import Fault, ServerThread

MiB = 1024 * 1024
PASSWORD = "s3cret-Pa55word"


class Hostile:
    """An HTTP server that answers each request by calling ``reply(server, conn)``
    with the connection's socket, after reading the request."""

    def __init__(self, reply: Callable[[Hostile, socket.socket], None]) -> None:
        self.reply = reply
        self.stop = threading.Event()
        self.finished = threading.Event()  # a reply ran to its end
        self.heads: list[str] = []  # the request heads received
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        with conn:
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    more = conn.recv(65536)
                    if not more:
                        return
                    data += more
                head, _, body = data.partition(b"\r\n\r\n")
                self.heads.append(head.decode("latin-1"))
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(body) < length:
                    more = conn.recv(65536)
                    if not more:
                        return
                    body += more
                self.reply(self, conn)
                self.finished.set()
            except OSError:
                pass  # the client hung up: what the tests want

    def pause(self, seconds: float) -> None:
        """Wait between two sends; ends at once when the test is over."""
        if self.stop.wait(seconds):
            raise ConnectionAbortedError("the test is over")

    def close(self) -> None:
        self.stop.set()
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)


@pytest.fixture
def hostile() -> Iterator[Callable[[Callable[[Hostile, socket.socket], None]], Hostile]]:
    servers: list[Hostile] = []

    def start(reply: Callable[[Hostile, socket.socket], None]) -> Hostile:
        servers.append(Hostile(reply))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _head(content_type: str, *, length: int | None = None, chunked: bool = False) -> bytes:
    lines = ["HTTP/1.1 200 OK", f"Content-Type: {content_type}", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _increment(content: str) -> bytes:
    data = {"code": 0, "msg": "", "data": {"is_end": 0, "content": content}}
    return f"event:message\ndata:{json.dumps(data)}\n\n".encode()


def _client(url: str, account: Account, **kwargs: object) -> ErnieClient:
    kwargs.setdefault("timeouts", Timeouts(connect=2, request=5, idle=5))
    return ErnieClient(account.baiduid, account.bduss, base_url=url, **kwargs)  # type: ignore[arg-type]


def _shown(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)


# -- 1. the request timeout is a deadline for the whole reply -------------------------


def _trickle(server: Hostile, conn: socket.socket) -> None:
    """A valid reply, one byte every 0.2 s: 60 s in all."""
    body = json.dumps({"code": 0, "msg": "", "data": {"sessions": []}}).encode()
    body = body.ljust(300)
    conn.sendall(_head("application/json", length=len(body)))
    for i in range(len(body)):
        conn.sendall(body[i : i + 1])
        server.pause(0.2)


@pytest.mark.parametrize("call", ["list", "ask"])
async def test_a_trickled_reply_stops_at_the_request_deadline(
    hostile: Callable[..., Hostile], account: Account, call: str
) -> None:
    server = hostile(_trickle)
    timeouts = Timeouts(connect=2, request=1, idle=30)
    async with _client(server.base_url, account, timeouts=timeouts) as client:
        with pytest.raises(ServerTimeoutError) as caught:
            if call == "list":
                await client.list_normal()
            else:
                # A JSON body in place of the answer stream is an ordinary reply.
                await client.ask("q")
    message = caught.value.message
    assert "did not send its whole reply within 1 s" in message
    assert "[timeouts] request" in message
    assert isinstance(caught.value, NetworkError)
    # It stopped the request, not the trickle's end (60 s away).
    assert not server.finished.is_set()


async def test_an_answer_may_outlast_the_request_timeout_while_it_keeps_coming(
    server: ServerThread, account: Account
) -> None:
    # Ten increments at four a second: longer than `request`, never idle for `idle`.
    server.state.faults.add(
        Fault("answer", text="one two three four five six seven eight nine ten")
    )
    server.state.faults.add(Fault("rate", rate=4))
    timeouts = Timeouts(connect=2, request=0.5, idle=5)
    async with _client(server.base_url, account, timeouts=timeouts) as client:
        answer = await client.ask("q")
    assert answer.text == "one two three four five six seven eight nine ten"


async def test_a_trickled_acs_token_reply_stops_at_its_timeout(
    hostile: Callable[..., Hostile], account: Account
) -> None:
    server = hostile(_trickle)
    provider = UrlAcsToken(server.base_url + "/token", timeout=1)
    with pytest.raises(ServerTimeoutError) as caught:
        await provider.token(account.baiduid)
    assert "did not answer in time" in caught.value.message
    assert not server.finished.is_set()


# -- 2. caps: the answer, a stream line or event, an ordinary reply --------------------


def _endless_answer(server: Hostile, conn: socket.socket) -> None:
    conn.sendall(_head("text/event-stream;charset=UTF-8"))
    piece = _increment("a" * 1000)
    while True:
        conn.sendall(piece)


async def test_an_answer_that_never_ends_stops_at_8_mb_and_keeps_its_text(
    hostile: Callable[..., Hostile], account: Account
) -> None:
    server = hostile(_endless_answer)
    async with _client(server.base_url, account) as client:
        assert client.limits.answer_chars == 8 * MiB
        async with client.ask_stream("q") as stream:
            with pytest.raises(ReplyTooLargeError) as caught:
                async for _ in stream:
                    pass
    error = caught.value
    assert "passed 8,388,608 characters" in error.message and "kept" in error.message
    assert 8 * MiB < len(error.partial) <= 8 * MiB + 1000
    assert set(error.partial) == {"a"}
    assert stream.text == error.partial
    assert isinstance(error, ProtocolError) and error.limit == 8 * MiB
    assert not server.finished.is_set()


def test_a_lowered_answer_limit_holds_through_the_sync_api(
    hostile: Callable[..., Hostile], account: Account
) -> None:
    server = hostile(_endless_answer)
    with Ernie(account.baiduid.reveal(), account.bduss.reveal(), base_url=server.base_url) as e:
        e.client.limits.answer_chars = 5000
        with pytest.raises(ReplyTooLargeError) as caught:
            e.ask("q", "", "0")
    assert "5,000 characters" in caught.value.message
    assert 5000 < len(caught.value.partial) <= 6000


async def test_a_stream_line_over_1_mb_stops_and_keeps_the_answer(
    client: ErnieClient, server: ServerThread
) -> None:
    major = {"code": 0, "msg": "", "data": {}}
    body = f"event:major\ndata:{json.dumps(major)}\n\n".encode()
    body += _increment("你好") + _increment("，世界")
    body += b"event:message\ndata:" + b"x" * (MiB + 1000)  # and no line end
    server.state.faults.add(Fault("raw", text=body.decode()))
    with pytest.raises(ReplyTooLargeError) as caught:
        await client.ask("q")
    assert caught.value.partial == "你好，世界"
    assert "line or event larger than" in caught.value.message
    # The limit grows with the answer text that arrived, which the final
    # event repeats; five characters arrived.
    assert caught.value.limit == MiB + ESCAPED_CHAR_BYTES * len("你好，世界")


async def test_an_answer_over_the_event_limit_still_ends_with_its_final_event(
    client: ErnieClient, server: ServerThread
) -> None:
    """The final event repeats the whole answer: an answer longer than the
    event limit is not refused for it."""
    client.limits.event_bytes = 4096
    text = "长" * 3000 + "long"
    server.state.faults.add(Fault("answer", text=text))
    answer = await client.ask("q")
    assert answer.text == text


def _endless_line(server: Hostile, conn: socket.socket) -> None:
    conn.sendall(_head("text/event-stream") + _increment("so far") + b"data: ")
    while True:
        conn.sendall(b"x" * 65536)


def _endless_event(server: Hostile, conn: socket.socket) -> None:
    conn.sendall(_head("text/event-stream") + _increment("so far"))
    while True:
        conn.sendall(b"data: " + b"y" * 1000 + b"\n")  # never the blank line


@pytest.mark.parametrize("reply", [_endless_line, _endless_event])
async def test_a_line_or_event_that_never_ends_stops_at_the_limit(
    hostile: Callable[..., Hostile], account: Account, reply: Callable[..., None]
) -> None:
    server = hostile(reply)
    async with _client(server.base_url, account) as client:
        with pytest.raises(ReplyTooLargeError) as caught:
            await client.ask("q")
    assert caught.value.partial == "so far"
    assert not server.finished.is_set()


def _endless_json(server: Hostile, conn: socket.socket) -> None:
    conn.sendall(_head("application/json", chunked=True))
    chunk = b'{"sessionId": "1", "sessionName": "x"},' * 1600
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    conn.sendall(b'5\r\n{"a":\r\n')
    while True:
        conn.sendall(frame)


async def test_an_ordinary_reply_that_never_ends_stops_at_32_mb(
    hostile: Callable[..., Hostile], account: Account
) -> None:
    server = hostile(_endless_json)
    async with _client(server.base_url, account) as client:
        with pytest.raises(ReplyTooLargeError) as caught:
            await client.list_pinned()
    assert "larger than 32 MB" in caught.value.message
    assert f"127.0.0.1:{server.port}" in caught.value.message
    assert caught.value.partial == ""
    assert not server.finished.is_set()


def _declared_huge(server: Hostile, conn: socket.socket) -> None:
    conn.sendall(_head("application/json", length=50 * MiB))
    server.pause(60)  # and never a byte of it


async def test_a_reply_declared_too_large_is_refused_unread(
    hostile: Callable[..., Hostile], account: Account
) -> None:
    server = hostile(_declared_huge)
    async with _client(server.base_url, account) as client:
        # Refused on its Content-Length: no waiting for the body that never comes.
        with pytest.raises(ReplyTooLargeError):
            await client.list_normal()


async def test_a_real_list_over_a_lowered_limit_then_under_a_raised_one(
    server: ServerThread, account: Account
) -> None:
    async with _client(server.base_url, account, limits=Limits(reply_bytes=2000)) as client:
        for i in range(30):
            await client.new_conversation(f"conversation number {i}")
        with pytest.raises(ReplyTooLargeError) as caught:
            await client.list_conversations()
        assert "larger than 2,000 bytes" in caught.value.message
        client.limits.reply_bytes = 32 * MiB
        assert len((await client.list_conversations()).all()) == 30


# -- 3. a password in the base URL is never shown ---------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://me:pw@host:1/x", "http://me:***@host:1/x"),
        ("https://token@host", "https://***@host"),
        ("http://:pw@host", "http://***@host"),
        ("http://me:p/w@host", "http://me:***@host"),
        ("http://host/a?next=x@y", "http://host/a?next=x@y"),
        ("https://yiyan.baidu.com", "https://yiyan.baidu.com"),
        ("me:pw@host", "me:***@host"),
    ],
)
def test_display_url_masks_the_userinfo(url: str, shown: str) -> None:
    assert display_url(url) == shown


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("port", ["closed", "notaport"])
async def test_a_password_in_the_base_url_is_not_in_errors(account: Account, port: str) -> None:
    where = str(_free_port()) if port == "closed" else port
    url = f"http://alice:{PASSWORD}@127.0.0.1:{where}"
    with pytest.raises(NetworkError) as caught:
        async with _client(url, account) as client:
            assert PASSWORD not in repr(client) + client.host + client.shown_url
            await client.list_conversations()
    assert "alice:***@127.0.0.1" in caught.value.message
    assert PASSWORD not in _shown(caught.value)


def _envelope(server: Hostile, conn: socket.socket) -> None:
    body = json.dumps({"code": 0, "msg": "", "data": {"sessions": []}}).encode()
    conn.sendall(_head("application/json", length=len(body)) + body)


async def test_a_password_in_the_base_url_is_sent_but_never_shown(
    hostile: Callable[..., Hostile], account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = hostile(_envelope)
    url = f"http://alice:{PASSWORD}@127.0.0.1:{server.port}"
    with Ernie(account.baiduid.reveal(), account.bduss.reveal(), base_url=url) as ernie:
        assert ernie.getConversation() == {"top": [], "normal": []}
        client = ernie.client
        shown = [repr(ernie), repr(client), client.host, client.shown_url, client.base_url]
        shown.append(client.share_url("k"))
    assert client.shown_url == f"http://alice:***@127.0.0.1:{server.port}"
    assert client.share_url("k") == f"http://127.0.0.1:{server.port}/share/k"
    # The credentials still reach the server, as HTTP Basic authentication.
    token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert all(f"Authorization: Basic {token}" in head for head in server.heads)
    assert len(server.heads) == 2
    text = "\n".join(shown + [r.getMessage() for r in caplog.records])
    assert f"127.0.0.1:{server.port}" in text  # the logs did name the server
    assert PASSWORD not in text


def _token(server: Hostile, conn: socket.socket) -> None:
    body = b'{"token": "acs-token-from-the-service"}'
    conn.sendall(_head("application/json", length=len(body)) + body)


async def test_a_password_in_the_acs_token_url_is_sent_but_never_shown(
    hostile: Callable[..., Hostile], account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = hostile(_token)
    provider = UrlAcsToken(f"http://bob:{PASSWORD}@127.0.0.1:{server.port}/token")
    token = await provider.token(account.baiduid)
    assert token is not None and token.reveal() == "acs-token-from-the-service"
    assert repr(provider) == f"UrlAcsToken('http://bob:***@127.0.0.1:{server.port}/token')"
    basic = base64.b64encode(f"bob:{PASSWORD}".encode()).decode()
    assert f"Authorization: Basic {basic}" in server.heads[0]
    assert PASSWORD not in repr(provider) + "\n".join(r.getMessage() for r in caplog.records)
