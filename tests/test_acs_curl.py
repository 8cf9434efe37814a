"""The Acs-Token copied from the browser: a "Copy as cURL" of the chat request,
saved to a file, in each quoting browsers write (bash, cmd.exe), gives the
``Acs-Token`` header, the body's ``sign`` and ``jt`` and the browser's other
cookies to the real chat request; every mistake in it is a clear error that
echoes nothing of it, and a refusal says the tokens expire."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from conftest import Account

from ernie_tui.api import (
    AccessRestrictedError,
    CurlAcsToken,
    ErnieClient,
    ProtocolError,
    Secret,
)
from ernie_tui.server import Fault, ServerThread

URL = "https://ernie.baidu.com/eb/chat/conversation/v2"
ACS = "1733742167717_1733801088361_ysQK8Ax1/g25idig14W+T/T8u4IsBbxc/zd3ZS8TMAtJ=="
SIGN = "1733742167717_1733804081290_VVgr2XX6D7S3K1zGPfPFH9FzhB7gth+np/ho3sJ=="
JT = "31$eyJrIj4iNyI0Iix5IkciQEdERUtERkZIUUlOUCJJIkFqIjwiNTw5OkA5Ozs8RENDSSI+IjYz"
AB_SR = "1.0.1_YzQ3YzI4N2QxNmY4MjQ0ZGY4ZDNiYjkzMTAwZDZjNzg5MWFmZTEz="
BROWSER_BDUSS = "browser-bduss-not-to-be-sent-" + "Z" * 20


def posix(value: str) -> str:
    """Chrome's bash quoting (escapeStringPosix)."""
    if re.search(r"[\x00-\x1f\x7f-\x9f!]|'", value):
        value = value.replace("\\", "\\\\").replace("'", "\\'")
        value = value.replace("\n", "\\n").replace("\r", "\\r")
        value = re.sub(r"[\x00-\x1f\x7f-\x9f!]", lambda m: f"\\u{ord(m[0]):04x}", value)
        return f"$'{value}'"
    return f"'{value}'"


def win(value: str) -> str:
    """Chrome's cmd.exe quoting (escapeStringWin)."""
    value = value.replace("\\", "\\\\").replace('"', '\\"')
    value = re.sub(r"[^a-zA-Z0-9\s_\-:=+~'/.,?;()*`&]", lambda m: "^" + m[0], value)
    value = re.sub(r"%(?=[a-zA-Z0-9_])", "%^", value)
    return '^"' + re.sub(r"\r?\n", "^\n\n", value) + '^"'


def body(account: Account, **fields: object) -> str:
    data = {
        "sign": SIGN,
        "timestamp": 1733804081323,
        "deviceType": "pc",
        "isNewYiyan": True,
        "jt": JT,
        "text": 'it\'s 100% ok! ^"你好"\n第二行 C:\\temp',
        "sessionId": "",
        "model": "EB45T",
        **fields,
    }
    return json.dumps(data, ensure_ascii=False)


def cookies(account: Account) -> str:
    baiduid = account.baiduid.reveal().replace(":FG=1", ":SL=0:NR=10:FG=1")
    return (
        f"BAIDUID={baiduid}; BAIDUID_BFESS={baiduid}; BDUSS={BROWSER_BDUSS}; "
        f'BDUSS_BFESS={account.bduss.reveal()}; ab_sr={AB_SR}; XFT=e5Ver3SA8xzS6=; RT="z=1"'
    )


def chrome_bash(account: Account) -> str:
    lines = [
        f"curl {posix(URL)}",
        f"-H {posix('accept: text/event-stream,application/json, text/event-stream')}",
        f"-H {posix('acs-token: ' + ACS)}",
        f"-H {posix('content-type: application/json')}",
        f"-b {posix(cookies(account))}",
        f"-H {posix('origin: https://ernie.baidu.com')}",
        f"--data-raw {posix(body(account))}",
    ]
    return " \\\n  ".join(lines) + "\n"


def chrome_cmd(account: Account) -> str:
    lines = [
        f"curl {win(URL)}",
        f"-H {win('accept: text/event-stream')}",
        f"-H {win('acs-token: ' + ACS)}",
        f"-b {win(cookies(account))}",
        f"--data-raw {win(body(account))}",
    ]
    return " ^\n  ".join(lines) + "\r\n"


def firefox_bash(account: Account) -> str:
    return (
        f"curl {posix(URL)} --compressed -X POST -H 'User-Agent: Mozilla/5.0' "
        f"-H 'Acs-Token: {ACS}' -H 'Content-Type: application/json' "
        f"-H {posix('Cookie: ' + cookies(account))} --data-raw {posix(body(account))}"
    )


def handmade_double_quotes(account: Account) -> str:
    data = body(account).replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    cookie = cookies(account).replace('"', '\\"')
    return (
        f'curl.exe "{URL}" -X POST -H "Acs-Token: {ACS}" -H "Cookie: {cookie}" '
        f'--data-binary "{data}"'
    )


VARIANTS: dict[str, Callable[[Account], str]] = {
    "chrome bash": chrome_bash,
    "chrome cmd": chrome_cmd,
    "firefox bash": firefox_bash,
    "double quotes, --data-binary": handmade_double_quotes,
}


@pytest.mark.parametrize("variant", VARIANTS)
async def test_each_variant_gives_the_tokens(
    variant: str, account: Account, tmp_path: Path
) -> None:
    path = tmp_path / "ernie.curl"
    path.write_text(VARIANTS[variant](account), encoding="utf-8", newline="")
    tokens = await CurlAcsToken(path).tokens(account.baiduid, account.bduss)
    assert tokens.acs_token == Secret(ACS)
    assert tokens.sign == Secret(SIGN)
    assert tokens.jt == Secret(JT)
    # The browser's other cookies, without the identity ones (the credential's go).
    assert [name for name, _ in tokens.cookies] == ["ab_sr", "XFT", "RT"]
    assert dict(tokens.cookies)["ab_sr"] == Secret(AB_SR)
    assert ACS not in repr(tokens) and JT not in repr(tokens) and AB_SR not in repr(tokens)


async def test_the_chat_request_carries_what_was_copied(
    server: ServerThread, account: Account, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "ernie.curl"
    path.write_text(chrome_bash(account), encoding="utf-8")
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/conversation/v2"):
            sent.append(request)

    provider = CurlAcsToken(path)
    async with ErnieClient(
        account.baiduid, account.bduss, base_url=server.base_url, acs_token=provider
    ) as client:
        client._http.event_hooks["request"].append(record)
        first = await client.ask("第一个问题")
        # A fresh copy in the same file takes effect with the next question.
        path.write_text(chrome_cmd(account).replace(ACS, ACS[::-1]), encoding="utf-8")
        await client.ask("第二个", first.session_id, first.bot_chat_id)
    assert first.text  # the service took the request: the credential's cookies went too
    one, two = sent
    assert one.headers["Acs-Token"] == ACS and two.headers["Acs-Token"] == ACS[::-1]
    payload = json.loads(one.content)
    assert (payload["sign"], payload["jt"]) == (SIGN, JT)
    assert payload["text"] == "第一个问题"  # the question asked, not the copied one's
    jar = dict(part.split("=", 1) for part in one.headers["Cookie"].split("; "))
    assert jar["BAIDUID"] == account.baiduid.reveal()
    assert jar["BDUSS_BFESS"] == account.bduss.reveal()
    assert jar["ab_sr"] == AB_SR
    assert "BDUSS" not in jar and BROWSER_BDUSS not in one.headers["Cookie"]
    shown = caplog.text + repr(provider) + repr(client)
    for secret in (ACS, SIGN, JT, AB_SR, BROWSER_BDUSS):
        assert secret not in shown


async def test_a_refusal_says_the_tokens_expire(
    client: ErnieClient, server: ServerThread, account: Account, tmp_path: Path
) -> None:
    path = tmp_path / "ernie.curl"
    path.write_text(firefox_bash(account), encoding="utf-8")
    client.acs_token = CurlAcsToken(path)
    server.state.faults.add(Fault("error", msg="用户访问被限制"))
    with pytest.raises(AccessRestrictedError) as caught:
        await client.ask("hi")
    message = str(caught.value)
    assert "expire" in message and "Copy as cURL" in message and str(path) in message
    assert "days old" in message  # the token's own time: December 2024
    assert ACS not in message and SIGN not in message


def test_a_file_saved_by_powershell_is_read(account: Account, tmp_path: Path) -> None:
    import asyncio

    path = tmp_path / "ernie.curl"
    path.write_text(chrome_cmd(account), encoding="utf-16")
    tokens = asyncio.run(CurlAcsToken(path).tokens(account.baiduid, account.bduss))
    assert tokens.acs_token == Secret(ACS)


BROKEN: dict[str, tuple[str, str]] = {
    "not curl": ("Invoke-WebRequest -Uri https://ernie.baidu.com", "does not start with `curl`"),
    "another request": (f"curl '{URL.replace('chat/conversation/v2', 'session/list')}'", "no Acs"),
    "cut short": (f"curl '{URL}' -H 'Acs-Token: {ACS}' --data-raw '{{\"sign\":", "never closed"),
    "no value": (f"curl '{URL}' -H 'Acs-Token: {ACS}' --data-raw", "has no value"),
    "cookie file": (f"curl '{URL}' -H 'Acs-Token: {ACS}' -b cookies.txt", "cookie file"),
    "damaged": (f"curl '{URL}' -H 'Acs-Token: {ACS[:20]} {ACS[20:]}'", "damaged Acs-Token"),
    "other account": (
        f"curl '{URL}' -H 'Acs-Token: {ACS}' -b 'BDUSS_BFESS={BROWSER_BDUSS}'",
        "another Baidu account",
    ),
    "other browser": (
        f"curl '{URL}' -H 'Acs-Token: {ACS}' -b 'BAIDUID=0123456789ABCDEF:FG=1'",
        "another browser",
    ),
}


@pytest.mark.parametrize("case", [*BROKEN, "missing", "directory", "huge"])
async def test_each_mistake_is_a_clear_error_without_secrets(
    case: str, client: ErnieClient, server: ServerThread, tmp_path: Path
) -> None:
    path = tmp_path / "ernie.curl"
    why = {"missing": "does not exist", "directory": "directory", "huge": "larger than 1 MB"}
    if case in BROKEN:
        text, expected = BROKEN[case]
        path.write_text(text, encoding="utf-8")
    elif case == "directory":
        path.mkdir()
    elif case == "huge":
        path.write_text(f"curl '{URL}' -H 'Acs-Token: {ACS}' " + "x" * 1024 * 1024)
    expected = BROKEN[case][1] if case in BROKEN else why[case]
    client.acs_token = CurlAcsToken(path)
    asks = server.state.asks
    with pytest.raises(ProtocolError) as caught:
        await client.ask("hi")
    message = str(caught.value)
    assert expected in message
    assert str(path) in message and "Copy as cURL" in message and "expire" in message
    for secret in (ACS, ACS[:20], ACS[20:], BROWSER_BDUSS, "0123456789ABCDEF"):
        assert secret not in message
    assert server.state.asks == asks  # nothing was sent
