"""Each fault the server can inject becomes the right error, carrying what
arrived, and no error text or repr ever holds a cookie."""

from __future__ import annotations

import traceback
from collections.abc import AsyncIterator

import httpx
import pytest
from conftest import Account

from ernie_tui.api import (
    AccessRestrictedError,
    CommandAcsToken,
    Ernie,
    ErnieClient,
    ErnieError,
    FixedAcsToken,
    IncompleteAnswerError,
    NetworkError,
    NoAcsToken,
    NotSignedInError,
    ProtocolError,
    Secret,
    ServerTimeoutError,
    ServiceError,
    Timeouts,
    UrlAcsToken,
)
from ernie_tui.server import CONTROL_PREFIX, Fault, ServerThread

TEXT = "one two three four five six seven eight nine ten"
# The increments the server cuts TEXT into (the demo bot's split).
PIECES = ["one", " two", " three", " four", " five", " six", " seven", " eight", " nine", " ten"]


def _secrets_absent(text: str, account: Account) -> None:
    for secret in (account.baiduid, account.bduss):
        assert secret.reveal() not in text


def _check(exc: BaseException, account: Account) -> None:
    """An error a user sees: a message, a partial, no secret anywhere in it."""
    assert isinstance(exc, ErnieError)
    assert exc.message and str(exc) == exc.message
    text = "".join(traceback.format_exception(exc)) + repr(exc) + repr(exc.partial)
    _secrets_absent(text, account)


async def _ask(client: ErnieClient, server: ServerThread, *faults: Fault) -> list[str]:
    server.state.faults.add(Fault("answer", text=TEXT), *faults)
    got: list[str] = []
    async with client.ask_stream("q") as stream:
        async for piece in stream:
            got.append(piece.text)
    return got


@pytest.fixture
async def quick(server: ServerThread, account: Account) -> AsyncIterator[ErnieClient]:
    """A client with a short idle timeout, for the stall tests."""
    async with ErnieClient(
        account.baiduid,
        account.bduss,
        base_url=server.base_url,
        timeouts=Timeouts(connect=2, request=1, idle=0.5),
    ) as c:
        yield c


async def test_cut_stream_is_incomplete_and_keeps_the_partial(
    client: ErnieClient, server: ServerThread, account: Account
) -> None:
    with pytest.raises(IncompleteAnswerError) as caught:
        await _ask(client, server, Fault("cut", after=3))
    assert caught.value.partial == "one two three"
    assert "cut off" in caught.value.message
    _check(caught.value, account)


async def test_cut_before_the_final_message(
    client: ErnieClient, server: ServerThread, account: Account
) -> None:
    with pytest.raises(IncompleteAnswerError) as caught:
        await _ask(client, server, Fault("cut", after=len(PIECES)))
    assert caught.value.partial == TEXT
    _check(caught.value, account)


@pytest.mark.parametrize(
    ("code", "msg", "kind"),
    [
        (4, "请先登录", NotSignedInError),
        (5, "用户访问被限制", AccessRestrictedError),
        (17, "系统繁忙", ServiceError),
    ],
)
@pytest.mark.parametrize("after", [None, 2])
async def test_error_envelope_before_and_during_the_stream(
    client: ErnieClient,
    server: ServerThread,
    account: Account,
    code: int,
    msg: str,
    kind: type[ServiceError],
    after: int | None,
) -> None:
    with pytest.raises(ServiceError) as caught:
        await _ask(client, server, Fault("error", code=code, msg=msg, after=after))
    error = caught.value
    assert type(error) is kind
    assert (error.code, error.msg) == (code, msg)
    assert msg in error.message
    assert error.partial == ("" if after is None else "one two")
    _check(error, account)


@pytest.mark.parametrize(
    ("msg", "kind"),
    [("请先登录", NotSignedInError), ("用户访问被限制", AccessRestrictedError)],
)
async def test_error_envelope_on_an_ordinary_endpoint(
    client: ErnieClient, server: ServerThread, account: Account, msg: str, kind: type
) -> None:
    server.state.faults.add(Fault("error", path="/eb/session/list", code=4, msg=msg))
    with pytest.raises(kind) as caught:
        await client.list_normal()
    _check(caught.value, account)


async def test_a_request_without_cookies_is_not_signed_in(server: ServerThread) -> None:
    async with ErnieClient("", "", base_url=server.base_url) as c:
        with pytest.raises(NotSignedInError) as caught:
            await c.list_conversations()
        assert "Sign in again" in caught.value.message
        with pytest.raises(NotSignedInError):
            await c.ask("hi")


async def test_stall_in_the_stream_times_out_with_the_partial(
    quick: ErnieClient, server: ServerThread, account: Account
) -> None:
    with pytest.raises(ServerTimeoutError) as caught:
        await _ask(quick, server, Fault("stall", after=2, seconds=3))
    assert caught.value.partial == "one two"
    assert "stalled" in caught.value.message
    assert isinstance(caught.value, NetworkError)
    _check(caught.value, account)


async def test_stall_before_the_stream_times_out(
    quick: ErnieClient, server: ServerThread, account: Account
) -> None:
    with pytest.raises(ServerTimeoutError) as caught:
        await _ask(quick, server, Fault("stall", seconds=3))
    assert caught.value.partial == ""
    _check(caught.value, account)


async def test_stall_on_an_ordinary_endpoint_times_out(
    quick: ErnieClient, server: ServerThread, account: Account
) -> None:
    server.state.faults.add(Fault("stall", path="/eb/session/new", seconds=3))
    with pytest.raises(ServerTimeoutError) as caught:
        await quick.new_conversation("slow")
    _check(caught.value, account)


@pytest.mark.parametrize("path", ["/eb/session/top/list", "/eb/chat/conversation/v2"])
async def test_http_500_is_a_service_error_with_the_status(
    client: ErnieClient, server: ServerThread, account: Account, path: str
) -> None:
    server.state.faults.add(Fault("http500", path=path))
    with pytest.raises(ServiceError) as caught:
        if path.startswith("/eb/chat"):
            await client.ask("q")
        else:
            await client.list_pinned()
    assert caught.value.status == 500
    assert "HTTP 500" in caught.value.message
    _check(caught.value, account)


@pytest.mark.parametrize("path", ["/eb/share/list", "/eb/chat/conversation/v2"])
async def test_malformed_body_is_a_protocol_error(
    client: ErnieClient, server: ServerThread, account: Account, path: str
) -> None:
    server.state.faults.add(Fault("malformed", path=path))
    with pytest.raises(ProtocolError) as caught:
        if path.startswith("/eb/chat"):
            await client.ask("q")
        else:
            await client.list_shares()
    assert "not JSON" in caught.value.message
    _check(caught.value, account)


async def test_a_malformed_line_in_the_stream_is_skipped(
    client: ErnieClient, server: ServerThread
) -> None:
    got = await _ask(client, server, Fault("malformed", after=2))
    assert "".join(got) == TEXT


async def test_unknown_events_and_task_id_lines_are_ignored(
    client: ErnieClient, server: ServerThread
) -> None:
    # `unknown` adds a `thought` event holding is_end: 1 and bare task_id lines.
    got = await _ask(client, server, Fault("unknown"))
    assert got == PIECES


async def test_faults_queued_over_http(client: ErnieClient, server: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        reply = await http.post(
            f"{CONTROL_PREFIX}/faults", json={"kind": "error", "code": 5, "msg": "用户访问被限制"}
        )
        assert reply.json()["code"] == 0
        bad = await http.post(f"{CONTROL_PREFIX}/faults", json={"kind": "nonsense"})
        assert bad.json()["code"] != 0
    with pytest.raises(AccessRestrictedError):
        await client.ask("q")
    # A fault is used once.
    assert (await client.ask("q")).text


async def test_refused_connection_is_a_network_error_and_restart_recovers(
    own_server: ServerThread, account: Account
) -> None:
    async with ErnieClient(
        account.baiduid,
        account.bduss,
        base_url=own_server.base_url,
        timeouts=Timeouts(connect=2, request=5, idle=5),
    ) as c:
        session_id = await c.new_conversation("survives")
        own_server.stop()
        with pytest.raises(NetworkError) as caught:
            await c.list_conversations()
        assert type(caught.value) is NetworkError
        assert "Cannot reach" in caught.value.message
        _check(caught.value, account)
        with pytest.raises(NetworkError):
            await c.ask("q")
        own_server.start()
        assert [s.session_id for s in (await c.list_conversations()).all()] == [session_id]


async def test_reprs_never_show_the_cookies(
    client: ErnieClient, server: ServerThread, account: Account
) -> None:
    shown = [repr(client), str(client), repr(account), repr(account.bduss), str(account.baiduid)]
    shown += [f"{account.bduss}", repr(Secret(account.bduss))]
    shown += [
        repr(p)
        for p in (
            NoAcsToken(),
            FixedAcsToken("acs-token-value-secret-1234567890"),
            CommandAcsToken(["printf", "x"]),
            UrlAcsToken("http://127.0.0.1:1/token"),
        )
    ]
    assert "acs-token-value-secret-1234567890" not in " ".join(shown)
    async with client.ask_stream("q") as stream:
        shown.append(repr(stream))
        async for _ in stream:
            shown.append(repr(stream))
    ernie = Ernie(account.baiduid.reveal(), account.bduss.reveal(), base_url=server.base_url)
    try:
        shown += [repr(ernie), str(ernie), repr(ernie.client)]
    finally:
        ernie.close()
    _secrets_absent("\n".join(shown), account)
    assert account.bduss.masked in repr(client)


def test_a_secret_cannot_be_pickled() -> None:
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(Secret("BDUSS-value-1234567890"))
