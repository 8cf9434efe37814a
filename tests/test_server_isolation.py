"""Each account sees and changes only its own data on the embedded server.

Two real clients, two accounts: the "owner" fills its account, the "intruder"
tries every route of the server on the owner's ids. The owner's data must come
out exactly as it was, and the intruder must learn nothing from the replies:
an id of another account answers exactly like an id that never existed.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from ernie_tui.api import ErnieClient, ErnieError, Secret, Session, Timeouts
from ernie_tui.server import CONTROL_PREFIX, ServerState, ServerThread, Store, create_app

NEVER_USED_ID = "1234567"


def _cookie() -> str:
    return f"isolation-{uuid.uuid4().hex}"


def _client(server: ServerThread, bduss: str) -> ErnieClient:
    return ErnieClient(
        Secret("ISOLATIONBAIDUID:FG=1"),
        Secret(bduss),
        base_url=server.base_url,
        timeouts=Timeouts(connect=5, request=10, idle=10),
    )


@dataclass
class Owned:
    """What the owner account holds, by id."""

    bduss: str
    normal: str  # a conversation with two answered turns
    pinned: str  # a pinned conversation with one turn
    first_bot: str  # the first answer in ``normal``
    last_bot: str  # the last answer in ``normal``
    pinned_bot: str
    share_id: str
    share_key: str
    user_id: str


async def _fill(owner: ErnieClient, bduss: str) -> Owned:
    first = await owner.ask("owner's secret question")
    second = await owner.ask("owner's follow-up", first.session_id, first.bot_chat_id)
    pinned = await owner.ask("owner's pinned question")
    await owner.rename_conversation(pinned.session_id, "owner's pinned name")
    await owner.pin_conversation(pinned.session_id)
    key = await owner.share_conversation(first.session_id, [first.bot_chat_id])
    [share] = await owner.list_shares()
    return Owned(
        bduss=bduss,
        normal=first.session_id,
        pinned=pinned.session_id,
        first_bot=first.bot_chat_id,
        last_bot=second.bot_chat_id,
        pinned_bot=pinned.bot_chat_id,
        share_id=share.share_id,
        share_key=key,
        user_id=share.user_id,
    )


async def _snapshot(owner: ErnieClient) -> Any:
    """Everything the owner can see of its account."""
    conversations = await owner.list_conversations()
    details = {}
    for session in conversations.all():
        detail = await owner.get_conversation_detail(session.session_id, base=session)
        assert detail is not None
        details[session.session_id] = (
            [(c.chat_id, c.role, c.text) for c in detail.histories],
            detail.current_chat_id,
        )
    return conversations, details, await owner.list_shares()


@pytest.fixture
async def two(server: ServerThread) -> AsyncIterator[tuple[ErnieClient, ErnieClient, Owned]]:
    owner_cookie = _cookie()
    async with (
        _client(server, owner_cookie) as owner,
        _client(server, _cookie()) as intruder,
    ):
        yield owner, intruder, await _fill(owner, owner_cookie)


async def test_the_intruder_sees_none_of_the_owners_data(
    two: tuple[ErnieClient, ErnieClient, Owned],
) -> None:
    _, intruder, owned = two
    conversations = await intruder.list_conversations()
    assert conversations.all() == ()
    assert await intruder.list_shares() == ()
    for session_id in (owned.normal, owned.pinned):
        # Even with the session in hand, the history is refused.
        base = Session(session_id=session_id, name="guess")
        with pytest.raises(ErnieError) as refused:
            await intruder.get_conversation_detail(session_id, base=base)
        assert "owner" not in str(refused.value)
        assert await intruder.get_conversation_detail(session_id) is None


async def test_every_change_the_intruder_tries_leaves_the_owner_untouched(
    two: tuple[ErnieClient, ErnieClient, Owned],
) -> None:
    owner, intruder, owned = two
    before = await _snapshot(owner)
    own = await intruder.ask("intruder's own question")

    # Deleting is idempotent: another account's id is skipped like an unknown
    # one, and the reply says nothing more.
    await intruder.delete_conversation(owned.normal)
    await intruder.delete_conversations([owned.normal, owned.pinned])
    refused = [
        intruder.rename_conversation(owned.normal, "renamed by the intruder"),
        intruder.rename_conversation(owned.pinned, "renamed by the intruder"),
        intruder.pin_conversation(owned.normal),
        intruder.unpin_conversation(owned.pinned),
        # Continue the owner's conversation, from its own last answer...
        intruder.ask("continue theirs", owned.normal, owned.last_bot),
        intruder.ask("continue theirs", owned.pinned, "0"),
        # ...or graft the owner's answer into the intruder's conversations.
        intruder.ask("graft", own.session_id, owned.last_bot),
        intruder.ask("graft", "", owned.first_bot),
        intruder.share_conversation(owned.normal, [owned.first_bot]),
        intruder.share_conversation(own.session_id, [owned.first_bot]),
        intruder.delete_share(owned.share_id),
        intruder.delete_all_shares(owned.user_id),
    ]
    for attempt in refused:
        with pytest.raises(ErnieError):
            await attempt

    after = await _snapshot(owner)
    assert after == before
    # The intruder's own account still works, and holds only its own things.
    mine = await intruder.list_conversations()
    assert [s.session_id for s in mine.all()] == [own.session_id]


async def test_deleting_many_deletes_only_the_callers_own(
    two: tuple[ErnieClient, ErnieClient, Owned],
) -> None:
    owner, intruder, owned = two
    before = await _snapshot(owner)
    own = await intruder.new_conversation("intruder's")
    await intruder.delete_conversations([owned.normal, own, owned.pinned])
    assert (await intruder.list_conversations()).all() == ()
    assert await _snapshot(owner) == before


async def test_deleting_all_shares_deletes_only_the_callers_own(
    two: tuple[ErnieClient, ErnieClient, Owned],
) -> None:
    owner, intruder, owned = two
    answer = await intruder.ask("to share")
    await intruder.share_conversation(answer.session_id, [answer.bot_chat_id])
    [mine] = await intruder.list_shares()
    assert mine.user_id != owned.user_id
    with pytest.raises(ErnieError):
        await intruder.delete_all_shares(owned.user_id)
    await intruder.delete_all_shares(mine.user_id)
    assert await intruder.list_shares() == ()
    [theirs] = await owner.list_shares()
    assert (theirs.share_id, theirs.key) == (owned.share_id, owned.share_key)


async def test_seeding_fills_only_the_callers_account(
    two: tuple[ErnieClient, ErnieClient, Owned], server: ServerThread
) -> None:
    owner = two[0]
    before = await _snapshot(owner)
    reply = httpx.post(
        f"{server.base_url}{CONTROL_PREFIX}/seed",
        json={"conversations": 3, "messages": 4},
        cookies={"BDUSS_BFESS": _cookie()},
        timeout=10,
    )
    assert reply.json()["code"] == 0
    assert await _snapshot(owner) == before


# -- raw requests: another account's id answers like an unknown one --------------------


def _requests(owned: Owned, unknown: str) -> dict[tuple[str, str], list[tuple[str, Any]]]:
    """For each route, requests naming the owner's things (or, with
    ``unknown``, an id that never existed in their place)."""

    def pick(real: str) -> str:
        return unknown or real

    session, bot = pick(owned.normal), pick(owned.last_bot)
    return {
        ("POST", "/eb/session/top/list"): [("/eb/session/top/list", {})],
        ("POST", "/eb/session/list"): [("/eb/session/list", {"pageSize": 1000})],
        ("POST", "/eb/session/new"): [
            ("/eb/session/new", {"sessionId": session, "sessionName": "x"})
        ],
        ("POST", "/eb/session/delete"): [
            ("/eb/session/delete", {"sessionId": session}),
            ("/eb/session/delete", {"sessionIds": [session, pick(owned.pinned)]}),
        ],
        ("POST", "/eb/session/top/move"): [("/eb/session/top/move", {"sessionId": session})],
        ("POST", "/eb/session/top/cancel"): [
            ("/eb/session/top/cancel", {"sessionId": pick(owned.pinned)})
        ],
        ("POST", "/eb/chat/history"): [("/eb/chat/history", {"sessionId": session})],
        ("GET", "/eb/share/list"): [("/eb/share/list", None)],
        ("DELETE", "/eb/share/all"): [("/eb/share/all", {"userId": pick(owned.user_id)})],
        ("DELETE", "/eb/share/{share_id}"): [(f"/eb/share/{pick(owned.share_id)}", {})],
        ("POST", "/eb/share/key/gen"): [
            ("/eb/share/key/gen", {"sessionId": session, "botChatId": [bot]})
        ],
        ("POST", "/eb/chat/conversation/v2"): [
            ("/eb/chat/conversation/v2", {"text": "q", "sessionId": session, "parentChatId": bot}),
            ("/eb/chat/conversation/v2", {"text": "q", "sessionId": "", "parentChatId": bot}),
        ],
        # Control endpoints act on the caller's account only (seed), or hold no
        # account's data (faults); demo images hold none either.
        ("POST", f"{CONTROL_PREFIX}/seed"): [(f"{CONTROL_PREFIX}/seed", {"conversations": 0})],
        ("POST", f"{CONTROL_PREFIX}/faults"): [],
        ("DELETE", f"{CONTROL_PREFIX}/faults"): [],
        ("GET", "/demo/image/{name}"): [],
        # Qianfan's /v2 keeps no data at all (the service keeps no conversations).
        ("POST", "/v2/chat/completions"): [],
        ("GET", "/v2/models"): [],
        ("GET", "/share/{key}"): [],  # public by design: a share link is for anyone
    }


def test_the_raw_requests_cover_every_route() -> None:
    app = create_app(ServerState(Store()), control=True)
    routes = app.app.routes  # type: ignore[attr-defined]
    served = {
        (method, route.path)
        for route in routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }
    owned = Owned(*(["x"] * 9))
    assert served == set(_requests(owned, ""))


async def test_another_accounts_ids_answer_like_ids_that_never_existed(
    two: tuple[ErnieClient, ErnieClient, Owned], server: ServerThread
) -> None:
    owner, _, owned = two
    before = await _snapshot(owner)

    def replies(unknown: str) -> list[Any]:
        out = []
        # A fresh intruder each time: the two runs start from the same state.
        cookies = {"BAIDUID": "X:FG=1", "BDUSS_BFESS": _cookie()}
        with httpx.Client(base_url=server.base_url, cookies=cookies, timeout=10) as http:
            for (method, _), requests in _requests(owned, unknown).items():
                for path, body in requests:
                    reply = http.request(method, path, json=body)
                    obj = reply.json()
                    out.append((method, path, reply.status_code, obj["code"], obj["msg"]))
        return out

    foreign = replies("")
    unknown = replies(NEVER_USED_ID)
    assert len(foreign) == 15
    # The same status, code and message, request by request.
    assert [r[0:1] + r[2:] for r in foreign] == [r[0:1] + r[2:] for r in unknown]
    text = repr(foreign)
    assert "owner" not in text and owned.share_key not in text
    assert await _snapshot(owner) == before
