"""The async client against the embedded server over real HTTP: every
operation round-trips, and answers stream as they arrive."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from ernie_tui.api import (
    Answer,
    AnswerPiece,
    ConversationDetail,
    Conversations,
    ErnieClient,
    ServiceError,
    Session,
    Share,
)
from ernie_tui.server import Fault, ServerThread


async def test_new_conversation_appears_in_the_normal_list(client: ErnieClient) -> None:
    session_id = await client.new_conversation("第一个会话")
    conversations = await client.list_conversations()
    assert isinstance(conversations, Conversations)
    assert conversations.top == ()
    [session] = conversations.normal
    assert isinstance(session, Session)
    assert session.session_id == session_id
    assert session.name == "第一个会话"
    assert session.pinned is False
    assert len(session.create_time) == len("2023-08-31 18:49:37")


async def test_a_fresh_account_has_no_conversations(client: ErnieClient) -> None:
    conversations = await client.list_conversations()
    assert conversations.all() == ()
    assert await client.list_normal() == ()
    assert await client.list_pinned() == ()


async def test_pin_and_unpin_move_a_conversation_between_the_lists(client: ErnieClient) -> None:
    first = await client.new_conversation("one")
    second = await client.new_conversation("two")
    await client.pin_conversation(first)
    conversations = await client.list_conversations()
    assert [s.session_id for s in conversations.top] == [first]
    assert conversations.top[0].pinned is True
    assert [s.session_id for s in conversations.normal] == [second]

    await client.unpin_conversation(first)
    conversations = await client.list_conversations()
    assert conversations.top == ()
    assert {s.session_id for s in conversations.normal} == {first, second}


async def test_rename(client: ErnieClient) -> None:
    session_id = await client.new_conversation("old name")
    await client.rename_conversation(session_id, "新名字 new name")
    found = (await client.list_conversations()).find(session_id)
    assert found is not None
    assert found.name == "新名字 new name"


async def test_rename_of_an_unknown_conversation_is_refused(client: ErnieClient) -> None:
    with pytest.raises(ServiceError) as caught:
        await client.rename_conversation("999999999", "x")
    assert caught.value.msg == "会话不存在"


async def test_delete_one_and_many(client: ErnieClient) -> None:
    ids = [await client.new_conversation(f"c{i}") for i in range(4)]
    await client.delete_conversation(ids[0])
    left = {s.session_id for s in (await client.list_conversations()).all()}
    assert left == set(ids[1:])
    await client.delete_conversations(ids[1:3])
    left = {s.session_id for s in (await client.list_conversations()).all()}
    assert left == {ids[3]}


async def test_accounts_do_not_see_each_other(client: ErnieClient, server: ServerThread) -> None:
    await client.new_conversation("mine")
    async with ErnieClient("OTHER:FG=1", "another-account-cookie", base_url=server.base_url) as c:
        assert (await c.list_conversations()).all() == ()


async def test_detail_of_an_unknown_conversation_is_none(client: ErnieClient) -> None:
    assert await client.get_conversation_detail("123") is None


async def test_share_list_delete_one_and_delete_all(client: ErnieClient) -> None:
    answer = await client.ask("share me")
    second = await client.ask("and me")
    key = await client.share_conversation(answer.session_id, [answer.bot_chat_id])
    key2 = await client.share_conversation(second.session_id, [second.bot_chat_id])
    third = await client.share_conversation(second.session_id, [second.bot_chat_id])
    assert key.isalpha() and len(key) == 6
    assert client.share_url(key) == f"{client.base_url}/share/{key}"

    shares = await client.list_shares()
    assert all(isinstance(s, Share) for s in shares)
    assert {s.key for s in shares} == {key, key2, third}
    mine = next(s for s in shares if s.key == key)
    assert mine.session_id == answer.session_id
    assert mine.chat_ids == (answer.bot_chat_id,)
    assert mine.user_id

    await client.delete_share(mine.share_id)
    assert {s.key for s in await client.list_shares()} == {key2, third}

    await client.delete_all_shares(mine.user_id)
    assert await client.list_shares() == ()


async def test_sharing_a_chat_of_another_conversation_is_refused(client: ErnieClient) -> None:
    first = await client.ask("one")
    other = await client.new_conversation("other")
    with pytest.raises(ServiceError):
        await client.share_conversation(other, [first.bot_chat_id])


async def test_stream_yields_increments_and_the_final_answer(
    client: ErnieClient, server: ServerThread
) -> None:
    server.state.faults.add(Fault("answer", text="你好！Hello, world. 这是一个回答。"))
    pieces: list[AnswerPiece] = []
    async with client.ask_stream("你好", session_name="问候") as stream:
        async for piece in stream:
            assert stream.session_id and stream.bot_chat_id  # known from `major` on
            pieces.append(piece)
    assert len(pieces) > 3
    assert "".join(p.text for p in pieces) == "你好！Hello, world. 这是一个回答。"
    assert all(p.chat_id == stream.bot_chat_id for p in pieces)
    answer = stream.answer
    assert isinstance(answer, Answer)
    assert answer.text == stream.text == "你好！Hello, world. 这是一个回答。"
    assert answer.bot_chat_id == stream.bot_chat_id
    assert answer.session_id == stream.session_id
    assert answer.user_chat_id == stream.user_chat_id
    assert [s.name for s in (await client.list_conversations()).all()] == ["问候"]


async def test_first_increment_arrives_before_the_server_sends_the_second(
    client: ErnieClient, server: ServerThread
) -> None:
    gate = Fault("gate", after=1, seconds=10)
    server.state.faults.add(Fault("answer", text="first second third"), gate)
    async with client.ask_stream("gated") as stream:
        pieces = aiter(stream)
        first = await asyncio.wait_for(anext(pieces), 5)
        # The server is parked before its second increment until the gate opens.
        assert first.text == "first"
        assert not gate.gate.is_set()
        gate.gate.set()
        rest = [piece.text async for piece in pieces]
    assert "".join(rest) == " second third"
    assert stream.answer is not None


async def test_multi_turn_continues_from_the_last_answer(
    client: ErnieClient, server: ServerThread
) -> None:
    first = await client.ask("What is Python?")
    before = len(server.state.parents)
    second = await client.ask("And typing?", first.session_id, first.bot_chat_id)
    assert server.state.parents[before:] == [first.bot_chat_id]
    assert second.session_id == first.session_id
    assert "第 2 轮" in second.text and "What is Python?" in second.text

    detail = await client.get_conversation_detail(first.session_id)
    assert isinstance(detail, ConversationDetail)
    assert [(c.role, c.chat_id) for c in detail.messages] == [
        ("user", first.user_chat_id),
        ("robot", first.bot_chat_id),
        ("user", second.user_chat_id),
        ("robot", second.bot_chat_id),
    ]
    assert [c.text for c in detail.messages] == [
        "What is Python?",
        first.text,
        "And typing?",
        second.text,
    ]
    assert detail.current_chat_id == second.bot_chat_id
    # The placeholder that starts a session is in the history, empty.
    assert len(detail.histories) == 5
    assert detail.histories[0].role == "robot" and detail.histories[0].text == ""


async def test_detail_with_a_known_base_skips_the_lookup(client: ErnieClient) -> None:
    answer = await client.ask("hi")
    base = (await client.list_conversations()).find(answer.session_id)
    assert base is not None
    detail = await client.get_conversation_detail(answer.session_id, base=base)
    assert detail is not None and detail.base == base


async def test_a_drawn_image_becomes_a_url_and_br_a_newline(client: ErnieClient) -> None:
    pieces: list[AnswerPiece] = []
    async with client.ask_stream("画一只猫") as stream:
        async for piece in stream:
            pieces.append(piece)
    answer = stream.answer
    assert answer is not None
    assert len(answer.urls) == 1 and answer.urls[0].startswith("http")
    assert "<img" not in answer.text and "<br" not in answer.text
    assert answer.text.startswith("我画好了") and "\n你可以" in answer.text
    # Every increment is clean too, and one of them carries the image.
    assert all("<" not in p.text for p in pieces)
    assert [u for p in pieces for u in p.urls] == list(answer.urls)
    # So is the stored history.
    detail = await client.get_conversation_detail(answer.session_id)
    assert detail is not None
    robot = detail.messages[-1]
    assert robot.urls == answer.urls and robot.text == answer.text


async def test_a_tag_cut_between_increments_is_still_removed_whole(
    client: ErnieClient, server: ServerThread
) -> None:
    body = (
        'event:message\ndata:{"code":0,"data":{"is_end":0,"content":"看<im"}}\n\n'
        'event:message\ndata:{"code":0,"data":{"is_end":0,"content":"g src=\\"http://x/a.png\\""}}\n\n'
        'event:message\ndata:{"code":0,"data":{"is_end":0,"content":" />好<b"}}\n\n'
        'event:message\ndata:{"code":0,"data":{"is_end":0,"content":"r>的"}}\n\n'
        'event:message\ndata:{"code":0,"data":{"is_end":1,"content":"",'
        '"tokens_all":"看<img src=\\"http://x/a.png\\" />好<br>的"}}\n\n'
    )
    server.state.faults.add(Fault("raw", text=body))
    async with client.ask_stream("x") as stream:
        pieces = [p async for p in stream]
    assert [p.text for p in pieces] == ["看", "好", "\n的"]
    assert [p.urls for p in pieces] == [(), ("http://x/a.png",), ()]
    assert stream.answer == Answer(text="看好\n的", urls=("http://x/a.png",))


async def test_leaving_the_block_early_closes_the_stream(
    client: ErnieClient, server: ServerThread
) -> None:
    server.state.faults.add(Fault("long", increments=500))
    async with client.ask_stream("long one") as stream:
        async for _ in stream:
            break
    assert stream.answer is None
    # The connection is usable again right away.
    assert (await client.list_conversations()).all()


async def test_the_model_code_reaches_the_request_body(client: ErnieClient) -> None:
    bodies: list[dict[str, object]] = []

    async def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/conversation/v2"):
            bodies.append(json.loads(request.content))

    client._http.event_hooks["request"].append(record)
    first = await client.ask("default model")
    await client.ask("thinking model", first.session_id, first.bot_chat_id, model="X1_1")
    client.model = "EB45T"
    async with client.ask_stream("the client's model now") as stream:
        assert stream.model == "EB45T"
        [p async for p in stream]
    assert [(b["model"], b["isSlowThought"]) for b in bodies] == [
        ("EB35", False),
        ("X1_1", True),
        ("EB45T", False),
    ]
