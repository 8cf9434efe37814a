"""Search over the library: Chinese words inside longer text (1, 2 and 3+
characters), English prefixes, mixed queries, nothing for what is absent,
FTS5 syntax taken as plain words, deleted conversations gone from the index,
a streamed answer found once it finishes, accounts apart, and a version 3
file migrated with its messages searchable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ernie_tui.library import ROOT, SCHEMA_VERSION, Library, _schema
from ernie_tui.library._search import make_snippet, query_terms

ME = "qianfan:me"
OTHER = "qianfan:other"


def _conversation(lib: Library, account: str, name: str, *turns: str) -> tuple[str, list[str]]:
    """A conversation of finished questions and answers; its id and the
    messages' ids."""
    cid = lib.new_conversation(account, name)
    parent, ids = ROOT, []
    for n, text in enumerate(turns):
        if n % 2 == 0:
            parent = lib.add_question(account, cid, text, parent)
        else:
            parent = lib.start_answer(account, cid, parent, "m")
            lib.finish_answer(account, parent, text=text)
        ids.append(parent)
    return cid, ids


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "library.db")
    _conversation(lib, ME, "Planning", "帮我写一份周报的提纲", "### 周报提纲 Weekly report outline")
    _conversation(lib, ME, "Rust notes", "What is ownership?", "Ownership in Rust: each value…")
    _conversation(lib, ME, "西湖 trip", "杭州三日游怎么安排？", "西湖很大，建议按区域慢慢逛")
    return lib


def _texts(lib: Library, query: str, account: str = ME) -> list[str]:
    """What each hit shows: the snippet (names marked with a leading '#')."""
    return [("#" if not h.message else "") + h.snippet for h in lib.search(account, query)]


def test_a_chinese_word_is_found_inside_a_longer_run(lib: Library) -> None:
    hits = lib.search(ME, "周报")
    snippets = [h.snippet for h in hits if h.message]
    assert "帮我写一份周报的提纲" in snippets
    hit = next(h for h in hits if h.snippet == "帮我写一份周报的提纲")
    assert (hit.name, hit.role) == ("Planning", "user")
    assert [hit.snippet[a:b] for a, b in hit.spans] == ["周报"]
    assert "帮我写一份周报的提纲" in _texts(lib, "周报的提")  # three and more characters


def test_one_and_two_character_chinese_words(lib: Library) -> None:
    assert _texts(lib, "纲") == ["### 周报提纲 Weekly report outline", "帮我写一份周报的提纲"]
    assert _texts(lib, "西湖") == ["西湖很大，建议按区域慢慢逛", "#西湖 trip"]
    assert _texts(lib, "游") == ["杭州三日游怎么安排？"]
    assert _texts(lib, "慢") == ["西湖很大，建议按区域慢慢逛"]  # the last characters of a text
    assert _texts(lib, "逛") == ["西湖很大，建议按区域慢慢逛"]


def test_english_words_match_as_prefixes_in_any_case(lib: Library) -> None:
    assert _texts(lib, "week") == ["### 周报提纲 Weekly report outline"]
    assert _texts(lib, "OWNER") == ["Ownership in Rust: each value…", "What is ownership?"]
    assert _texts(lib, "rust") == ["Ownership in Rust: each value…", "#Rust notes"]
    assert _texts(lib, "ru") == ["Ownership in Rust: each value…", "#Rust notes"]


def test_mixed_queries_need_every_word(lib: Library) -> None:
    assert _texts(lib, "周报 weekly") == ["### 周报提纲 Weekly report outline"]
    assert _texts(lib, "weekly 写") == []  # each word, but not in one message
    assert _texts(lib, "trip 西") == ["#西湖 trip"]
    assert _texts(lib, "  西湖   很大 ") == ["西湖很大，建议按区域慢慢逛"]


def test_an_absent_word_finds_nothing(lib: Library) -> None:
    for query in ("鲸鱼座", "鲸", "鲸鱼", "zyxwvut", "周报 zyxwvut", "", "   "):
        assert lib.search(ME, query) == (), query


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "NEAR(a b)",
        "-x",
        "^周报",
        "a:b",
        "(",
        ")",
        "{text}",
        "text:周报",
        '"周报',
        "周报*",
        "'",
        "\\",
        "%",
        "_",
        "\x00",
        "\ud800",
        "AND 周报",
    ],
)
def test_fts_syntax_in_a_query_is_plain_text(lib: Library, query: str) -> None:
    lib.search(ME, query)  # never raises
    cid, _ = _conversation(lib, ME, "Symbols", f"what does {query} mean here?", "a symbol")
    found = {h.conversation for h in lib.search(ME, query)}
    if query.strip("\x00") and query != "\ud800":
        assert cid in found, query


def test_a_literal_percent_or_underscore_is_not_a_wildcard(lib: Library) -> None:
    _conversation(lib, ME, "Rates", "growth of 5% a year", "ok")
    assert _texts(lib, "%") == ["growth of 5% a year"]
    assert _texts(lib, "_") == []


def test_a_deleted_conversation_is_not_found(lib: Library, tmp_path: Path) -> None:
    cid, _ = _conversation(lib, ME, "Secret plan 鲸鱼", "鲸鱼座的故事", "whale constellation")
    assert lib.search(ME, "鲸鱼座") and lib.search(ME, "whale") and lib.search(ME, "鲸")
    assert lib.delete(ME, [cid]) == 1
    for query in ("鲸鱼座", "whale", "鲸", "鲸鱼", "Secret"):
        assert lib.search(ME, query) == (), query
    db = sqlite3.connect(tmp_path / "library.db")
    try:  # nothing of it is left in the index either
        for table in ("message_index", "name_index"):
            found = f"SELECT count(*) FROM {table} WHERE {table} MATCH ?"
            assert db.execute(found, ('"whale" OR "鲸鱼"',)).fetchone() == (0,)
    finally:
        db.close()


def test_a_renamed_conversation_is_found_by_its_new_name(lib: Library) -> None:
    cid, _ = _conversation(lib, ME, "Old title", "q", "a")
    lib.rename(ME, cid, "Fresh title 新名字")
    assert [h.conversation for h in lib.search(ME, "fresh")] == [cid]
    assert lib.search(ME, "old title") == ()
    assert [h.conversation for h in lib.search(ME, "名字")] == [cid]


def test_a_streamed_answer_is_found_once_it_finishes(tmp_path: Path) -> None:
    lib = Library(tmp_path / "library.db", flush_pieces=1)
    cid = lib.new_conversation(ME, "stream")
    question = lib.add_question(ME, cid, "tell me a story", ROOT)
    answer = lib.start_answer(ME, cid, question, "m")
    for piece in ("Once upon ", "a time, 一只鲸鱼", " swam home."):
        lib.append_answer(ME, answer, piece)
    # While it streams, the index holds nothing of it.
    assert lib._db.execute(
        "SELECT count(*) FROM message_index WHERE message_index MATCH '\"upon\"'"
    ).fetchone() == (0,)
    lib.finish_answer(ME, answer)
    hits = lib.search(ME, "upon 鲸鱼")
    assert [(h.message, h.role, h.snippet) for h in hits] == [
        (answer, "assistant", "Once upon a time, 一只鲸鱼 swam home.")
    ]
    assert lib._db.execute(
        "SELECT count(*) FROM message_index WHERE message_index MATCH '\"upon\"'"
    ).fetchone() == (1,)


def test_an_answer_left_streaming_by_a_crash_is_still_found(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    lib = Library(path, flush_pieces=1)
    cid = lib.new_conversation(ME, "crash")
    answer = lib.start_answer(ME, cid, lib.add_question(ME, cid, "q", ROOT), "m")
    lib.append_answer(ME, answer, "half an answer about whales")
    lib._db.close()  # the program died: the row stays 'streaming'
    again = Library(path)
    assert [h.message for h in again.search(ME, "whales")] == [answer]


def test_two_accounts_never_see_each_others_hits(lib: Library) -> None:
    _conversation(lib, OTHER, "Their 周报", "their 周报 about whales", "鲸")
    mine = lib.search(ME, "周报")
    assert mine and all(h.name in ("Planning",) for h in mine)
    assert {h.name for h in lib.search(OTHER, "周报")} == {"Their 周报"}
    for query in ("whales", "鲸", "their", "周报 whales"):
        assert lib.search(ME, query) == (), query
    assert lib.search(OTHER, "ownership") == ()
    assert lib.search("qianfan:nobody", "周报") == ()


def test_newest_messages_come_first_and_the_limit_holds(tmp_path: Path) -> None:
    lib = Library(tmp_path / "library.db")
    cids = [_conversation(lib, ME, f"Note {n}", f"note number {n}", "ok")[0] for n in range(6)]
    hits = lib.search(ME, "note", limit=4)
    assert [h.conversation for h in hits] == cids[::-1][:4]
    assert all(h.message for h in hits)
    names = lib.search(ME, "note", limit=50)
    assert [h.conversation for h in names if not h.message] == cids[::-1]
    assert lib.search(ME, "note", limit=0) == ()


def test_a_snippet_is_one_safe_line_with_the_match_marked() -> None:
    text = (
        "first line\n\n"
        + "filler " * 40
        + "\x1b]52;c;ZXZpbA==\x07周报 is \x1b[31mhere\x1b[0m\n"
        + "tail " * 40
    )
    snippet, spans = make_snippet(text, query_terms("周报 HERE"))
    assert "\n" not in snippet and "\x1b" not in snippet and "\x07" not in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert [snippet[a:b] for a, b in spans] == ["周报", "here"]


def test_a_version_3_library_migrates_with_its_messages_searchable(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    db = sqlite3.connect(path, isolation_level=None)
    for step in _schema.MIGRATIONS[:3]:
        for statement in step:
            db.execute(statement)
    db.execute("PRAGMA user_version = 3")
    now = "2025-01-31T08:00:00.000000+00:00"
    db.execute(
        "INSERT INTO conversations (seq, id, account, backend, name, created, activity) "
        "VALUES (1, 'c1', ?, 'qianfan', '上个月的周报', ?, ?)",
        (ME, now, now),
    )
    db.execute(
        "INSERT INTO messages (seq, id, conversation, parent, role, text, created) "
        "VALUES (1, 'm1', 1, NULL, 'user', '帮我写一份周报的提纲', ?)",
        (now,),
    )
    db.execute(
        "INSERT INTO messages (seq, id, conversation, parent, role, text, state, created) "
        "VALUES (2, 'm2', 1, 1, 'assistant', 'Weekly outline, cut off', 'streaming', ?)",
        (now,),
    )
    db.execute("UPDATE conversations SET current = 2")
    db.close()
    lib = Library(path)
    assert int(lib._db.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION
    assert [(h.message, h.snippet) for h in lib.search(ME, "周报 提纲")] == [
        ("m1", "帮我写一份周报的提纲")
    ]
    assert [h.message for h in lib.search(ME, "weekly")] == ["m2"]  # left streaming
    assert [h.message for h in lib.search(ME, "上个月")] == [""]
    backup = tmp_path / "library.db.bak-v3"
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("PRAGMA user_version").fetchone() == (3,)
        assert copy.execute("SELECT count(*) FROM messages").fetchone() == (2,)
    finally:
        copy.close()


_memory = Library(None)
_conversation(_memory, ME, '周报 weekly "quoted"', "帮我写一份周报的提纲 AND NEAR(x)", "ok*")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40))
def test_no_query_ever_raises(query: str) -> None:
    hits = _memory.search(ME, query)
    terms = query_terms(query)
    for hit in hits:
        assert all(0 <= a < b <= len(hit.snippet) for a, b in hit.spans)
        assert terms
