"""The local library: conversations of the Qianfan backend kept on this
machine. Listing order and pins, the tree of messages (regenerate, edit and
resend), the thread a request sends, streamed answers, exports, text of any
kind, and two accounts that never see each other's data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ernie_tui.library import ROOT, Library, LibraryError, NotFoundError, Reference

ALICE = "qianfan:alice-key-hash"
BOB = "qianfan:bob-key-hash"


class Clock:
    """Now, one second later on every call."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 8, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int


@pytest.fixture
def lib() -> Library:
    return Library(None, clock=Clock(), zone=UTC)


def _turn(lib: Library, conversation: str, question: str, answer: str, parent: str) -> str:
    """A question and its whole answer; returns the answer's id."""
    q = lib.add_question(ALICE, conversation, question, parent)
    a = lib.start_answer(ALICE, conversation, q, "ernie-4.5-turbo-32k")
    lib.finish_answer(ALICE, a, text=answer)
    return a


def _names(lib: Library, account: str = ALICE) -> tuple[list[str], list[str]]:
    listed = lib.list_conversations(account)
    return [s.name for s in listed.top], [s.name for s in listed.normal]


# -- conversations ----------------------------------------------------------------


def test_a_new_conversation_is_listed_with_its_settings(lib: Library) -> None:
    cid = lib.new_conversation(ALICE, "Trip", model="ernie-x1-turbo-32k", system_prompt="Be brief.")
    (session,) = lib.list_conversations(ALICE).all()
    assert (session.session_id, session.name, session.model, session.pinned) == (
        cid,
        "Trip",
        "ernie-x1-turbo-32k",
        False,
    )
    assert session.create_time == "2025-03-01 08:00:01"
    found = lib.conversation(ALICE, cid)
    assert found is not None
    assert (found.system_prompt, found.backend, found.current) == ("Be brief.", "qianfan", ROOT)


def test_pinned_first_then_the_rest_by_last_activity(lib: Library) -> None:
    a, b, c = (lib.new_conversation(ALICE, n) for n in "abc")
    assert _names(lib) == ([], ["c", "b", "a"])
    lib.add_question(ALICE, a, "back to a", ROOT)
    assert _names(lib) == ([], ["a", "c", "b"])
    lib.set_pinned(ALICE, b, True)
    lib.set_pinned(ALICE, c, True)
    assert _names(lib) == (["c", "b"], ["a"])
    lib.set_pinned(ALICE, b, True)  # pinning again keeps its place
    assert _names(lib) == (["c", "b"], ["a"])
    lib.set_pinned(ALICE, c, False)
    assert _names(lib) == (["b"], ["a", "c"])
    assert [s.pinned for s in lib.list_conversations(ALICE).all()] == [True, False, False]


def test_the_listed_time_is_the_last_activity(lib: Library) -> None:
    cid = lib.new_conversation(ALICE, "x")  # 08:00:01
    _turn(lib, cid, "q", "a", ROOT)  # question 02, answer 03, finished 04
    assert lib.list_conversations(ALICE).all()[0].create_time == "2025-03-01 08:00:04"


def test_rename_model_and_system_prompt(lib: Library) -> None:
    cid = lib.new_conversation(ALICE, "old")
    lib.rename(ALICE, cid, "new")
    lib.set_model(ALICE, cid, "ernie-speed-128k")
    lib.set_system_prompt(ALICE, cid, "You are a poet.")
    found = lib.conversation(ALICE, cid)
    assert found is not None
    assert (found.name, found.model, found.system_prompt) == (
        "new",
        "ernie-speed-128k",
        "You are a poet.",
    )


# -- the tree, the branch shown, the thread sent --------------------------------------


def test_open_shows_the_current_branch_and_where_to_continue(lib: Library) -> None:
    cid = lib.new_conversation(ALICE, "tree")
    a1 = _turn(lib, cid, "q1", "a1", ROOT)
    a2 = _turn(lib, cid, "q2", "a2", a1)
    detail = lib.open(ALICE, cid)
    assert detail is not None
    assert [(c.role, c.text) for c in detail.histories] == [
        ("user", "q1"),
        ("robot", "a1"),
        ("user", "q2"),
        ("robot", "a2"),
    ]
    assert detail.current_chat_id == a2
    q2 = detail.histories[2].chat_id
    # Regenerate: another answer to q2 becomes the branch shown.
    again = lib.start_answer(ALICE, cid, q2, "ernie-4.5-turbo-32k")
    lib.finish_answer(ALICE, again, text="a2, again")
    detail = lib.open(ALICE, cid)
    assert detail is not None
    assert [c.text for c in detail.histories] == ["q1", "a1", "q2", "a2, again"]
    # Edit and resend: another question after a1, not answered yet.
    lib.add_question(ALICE, cid, "q2, edited", a1)
    detail = lib.open(ALICE, cid)
    assert detail is not None
    assert [c.text for c in detail.histories] == ["q1", "a1", "q2, edited"]
    assert detail.current_chat_id == a1  # the next question follows the last answer
    lib.set_current(ALICE, cid, a2)
    detail = lib.open(ALICE, cid)
    assert detail is not None
    assert [c.text for c in detail.histories] == ["q1", "a1", "q2", "a2"]


def test_the_thread_runs_from_the_system_prompt_to_the_parent(lib: Library) -> None:
    cid = lib.new_conversation(ALICE, "t", system_prompt="Answer in French.")
    a1 = _turn(lib, cid, "q1", "a1", ROOT)
    a2 = _turn(lib, cid, "q2", "a2", a1)
    assert lib.thread(ALICE, cid, a2) == [
        ("system", "Answer in French."),
        ("user", "q1"),
        ("assistant", "a1"),
        ("user", "q2"),
        ("assistant", "a2"),
    ]
    assert lib.thread(ALICE, cid, a1) == [
        ("system", "Answer in French."),
        ("user", "q1"),
        ("assistant", "a1"),
    ]
    assert lib.thread(ALICE, cid, ROOT) == [("system", "Answer in French.")]
    lib.set_system_prompt(ALICE, cid, "")
    assert lib.thread(ALICE, cid, "") == []
    with pytest.raises(NotFoundError):
        lib.thread(ALICE, cid, "not-a-message")


def test_a_question_follows_an_answer_and_an_answer_a_question(lib: Library) -> None:
    cid, other = lib.new_conversation(ALICE, "c"), lib.new_conversation(ALICE, "o")
    q = lib.add_question(ALICE, cid, "q", ROOT)
    a = lib.start_answer(ALICE, cid, q, "m")
    with pytest.raises(ValueError, match="not an answer"):
        lib.add_question(ALICE, cid, "q", q)
    with pytest.raises(ValueError, match="not a question"):
        lib.start_answer(ALICE, cid, a, "m")
    with pytest.raises(ValueError, match="follows a question"):
        lib.start_answer(ALICE, cid, ROOT, "m")
    with pytest.raises(NotFoundError):
        lib.add_question(ALICE, other, "q", a)  # a is not in that conversation


# -- streamed answers ---------------------------------------------------------------


def test_the_final_text_replaces_the_streamed_one(lib: Library) -> None:
    cid = lib.new_conversation(ALICE, "c")
    a = lib.start_answer(ALICE, cid, lib.add_question(ALICE, cid, "q", ROOT), "m")
    lib.append_answer(ALICE, a, "draft tex")
    lib.finish_answer(ALICE, a, text="final text", reasoning="why")
    (_, answer) = lib.messages(ALICE, cid) or ()
    assert (answer.text, answer.reasoning) == ("final text", "why")


def test_a_stopped_answer_keeps_what_arrived(lib: Library) -> None:
    cid = lib.new_conversation(ALICE, "c")
    a = lib.start_answer(ALICE, cid, lib.add_question(ALICE, cid, "q", ROOT), "m")
    lib.append_answer(ALICE, a, "half an ans")
    lib.mark_answer(ALICE, a, "stopped")
    (_, answer) = lib.messages(ALICE, cid) or ()
    assert (answer.text, answer.state) == ("half an ans", "stopped")
    with pytest.raises(ValueError):
        lib.mark_answer(ALICE, a, "streaming")


def test_deleting_a_conversation_while_its_answer_streams(lib: Library) -> None:
    cid = lib.new_conversation(ALICE, "c")
    a = lib.start_answer(ALICE, cid, lib.add_question(ALICE, cid, "q", ROOT), "m")
    lib.append_answer(ALICE, a, "some")
    assert lib.delete(ALICE, [cid]) == 1
    lib.flush()
    with pytest.raises(NotFoundError):
        lib.append_answer(ALICE, a, "more")
    with pytest.raises(NotFoundError):
        lib.finish_answer(ALICE, a)


# -- two accounts ---------------------------------------------------------------------


def test_an_account_sees_and_touches_only_its_own(lib: Library) -> None:
    cid = lib.new_conversation(ALICE, "Alice's", model="m", system_prompt="secret prompt")
    a1 = _turn(lib, cid, "alice's question", "alice's answer", ROOT)
    q2 = lib.add_question(ALICE, cid, "second", a1)
    a2 = lib.start_answer(ALICE, cid, q2, "m")
    lib.append_answer(ALICE, a2, "streaming for alice")
    before = lib.export_json(ALICE, cid)
    assert lib.list_conversations(BOB).all() == ()
    assert lib.conversation(BOB, cid) is None
    assert lib.messages(BOB, cid) is None
    assert lib.open(BOB, cid) is None
    assert lib.delete(BOB, [cid]) == 0
    refused: list[Callable[[], object]] = [
        lambda: lib.thread(BOB, cid, a1),
        lambda: lib.rename(BOB, cid, "bob was here"),
        lambda: lib.set_pinned(BOB, cid, True),
        lambda: lib.set_model(BOB, cid, "bob"),
        lambda: lib.set_system_prompt(BOB, cid, "bob"),
        lambda: lib.set_current(BOB, cid, a1),
        lambda: lib.add_question(BOB, cid, "bob asks", a1),
        lambda: lib.start_answer(BOB, cid, q2, "m"),
        lambda: lib.append_answer(BOB, a2, "bob writes"),
        lambda: lib.finish_answer(BOB, a2, text="bob's ending"),
        lambda: lib.finish_answer(BOB, a1, text="bob's ending"),
        lambda: lib.mark_answer(BOB, a2, "stopped"),
        lambda: lib.export_markdown(BOB, cid),
        lambda: lib.export_json(BOB, cid),
    ]
    for call in refused:
        with pytest.raises(NotFoundError) as caught:
            call()
        assert "alice" not in str(caught.value).lower()
    # Bob's own conversation of the same name is his alone.
    bob = lib.new_conversation(BOB, "Alice's")
    assert [s.session_id for s in lib.list_conversations(BOB).all()] == [bob]
    assert [s.session_id for s in lib.list_conversations(ALICE).all()] == [cid]
    with pytest.raises(NotFoundError):
        lib.add_question(BOB, bob, "continue alice's thread", a1)
    assert lib.export_json(ALICE, cid) == before


# -- export -------------------------------------------------------------------------


def test_export_markdown_reads_well_and_is_safe_to_print(lib: Library) -> None:
    cid = lib.new_conversation(
        ALICE, "Plans \x1b]52;c;ZXZpbA==\x07", model="ernie-x1", system_prompt="Be kind."
    )
    q = lib.add_question(ALICE, cid, "What now?", ROOT)
    a = lib.start_answer(ALICE, cid, q, "ernie-x1")
    lib.finish_answer(
        ALICE,
        a,
        text="Rest.\x1b[2J See [1].",
        reasoning="They sound tired.",
        usage=Usage(5, 7),
        citations=[Reference(1, "Sleep", "https://example.org/sleep")],
    )
    text = lib.export_markdown(ALICE, cid)
    assert "\x1b" not in text
    assert text.startswith("# Plans\n")
    assert "model ernie-x1 · started 2025-03-01 08:00:01" in text
    assert "times in UTC+00:00_" in text  # the zone the times are written in is named
    assert "**System prompt**\n\n> Be kind." in text
    assert "## You · 2025-03-01 08:00:02\n\nWhat now?" in text
    assert "**Thinking**\n\n> They sound tired.\n\nRest. See [1]." in text
    assert "_Tokens: 5 in, 7 out._" in text
    assert "1. [Sleep](https://example.org/sleep)" in text


def test_export_json_keeps_every_field(lib: Library) -> None:
    cid = lib.new_conversation(ALICE, "J", model="m1", system_prompt="sys")
    q = lib.add_question(ALICE, cid, "q \x1b[31m", ROOT)
    a = lib.start_answer(ALICE, cid, q, "m1")
    lib.append_answer(ALICE, a, "part", "thought")
    lib.mark_answer(ALICE, a, "incomplete")
    data = lib.export_json(ALICE, cid)
    assert {k: data[k] for k in ("format", "id", "name", "model", "system_prompt", "pinned")} == {
        "format": "ernie-tui conversation",
        "id": cid,
        "name": "J",
        "model": "m1",
        "system_prompt": "sys",
        "pinned": False,
    }
    assert data["created"] == "2025-03-01T08:00:01.000000+00:00"
    question, answer = data["messages"]
    assert (question["role"], question["text"], question["parent"]) == ("user", "q \x1b[31m", ROOT)
    assert (answer["role"], answer["parent"], answer["text"], answer["reasoning"]) == (
        "assistant",
        q,
        "part",
        "thought",
    )
    assert (answer["state"], answer["usage"], answer["citations"]) == ("incomplete", None, [])


# -- text of any kind ---------------------------------------------------------------

_ANY_CHARACTER = st.one_of(
    st.characters(exclude_categories=()), st.integers(0xD800, 0xDFFF).map(chr)
)


def _expected(text: str) -> str:
    """What the library keeps: a surrogate pair joined, a lone one as U+FFFD."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if "\ud800" <= c <= "\udbff" and "\udc00" <= nxt <= "\udfff":
            out.append(chr(0x10000 + ((ord(c) - 0xD800) << 10) + (ord(nxt) - 0xDC00)))
            i += 2
            continue
        out.append("\ufffd" if "\ud800" <= c <= "\udfff" else c)
        i += 1
    return "".join(out)


def test_lone_surrogates_become_the_replacement_character(lib: Library) -> None:
    lib.new_conversation(ALICE, "a\udc9bb \ud83d\ude00")
    assert lib.list_conversations(ALICE).all()[0].name == "a\ufffdb 😀"


def test_an_id_that_is_not_valid_text_names_nothing(lib: Library) -> None:
    cid = lib.new_conversation(ALICE, "c")
    bad = "\udcff" + cid  # as an undecodable command-line argument arrives
    assert lib.open(ALICE, bad) is None
    assert lib.delete(ALICE, [bad]) == 0
    with pytest.raises(NotFoundError):
        lib.rename(ALICE, bad, "x")
    with pytest.raises(NotFoundError):
        lib.add_question(ALICE, cid, "q", "\udcff")
    assert _names(lib) == ([], ["c"])


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(_ANY_CHARACTER),
    question=st.text(_ANY_CHARACTER),
    pieces=st.lists(st.text(_ANY_CHARACTER), max_size=4),
)
def test_any_text_round_trips(name: str, question: str, pieces: list[str]) -> None:
    lib = Library(None)
    cid = lib.new_conversation(ALICE, name, model=name, system_prompt=question)
    q = lib.add_question(ALICE, cid, question, ROOT)
    a = lib.start_answer(ALICE, cid, q, name)
    for piece in pieces:
        lib.append_answer(ALICE, a, piece, piece)
    lib.finish_answer(ALICE, a, citations=[Reference(1, name, question)])
    streamed = "".join(_expected(p) for p in pieces)  # each piece is text of its own
    data = lib.export_json(ALICE, cid)
    assert (data["name"], data["model"], data["system_prompt"]) == (
        _expected(name),
        _expected(name),
        _expected(question),
    )
    question_out, answer_out = data["messages"]
    assert question_out["text"] == _expected(question)
    assert (answer_out["text"], answer_out["reasoning"]) == (streamed, streamed)
    assert answer_out["citations"][0]["title"] == _expected(name)
    system = [("system", _expected(question))] if question else []
    turns = [("user", _expected(question)), ("assistant", streamed)]
    assert lib.thread(ALICE, cid, a) == system + turns
    if not any("\ud800" <= c <= "\udfff" for c in name):
        assert data["name"] == name  # no change to valid text
    lib.close()


# -- the package ------------------------------------------------------------------


def test_a_closed_library_says_so(lib: Library) -> None:
    lib.close()
    with pytest.raises(LibraryError, match="closed"):
        lib.list_conversations(ALICE)
