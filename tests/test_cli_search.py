"""``ernie-tui search`` as a subprocess on the qianfan backend against the
embedded server: hits as text and JSON, exit 1 and a line on stderr when
nothing matches, FTS syntax as plain words, usage errors, and each account's
own conversations only."""

from __future__ import annotations

import json

from test_cli_qianfan import Cli, cli, ids_from

__all__ = ["cli"]


def test_search_prints_each_hit_and_json_gives_the_same(cli: Cli) -> None:
    ids = ids_from(cli("ask", "帮我写一份周报的提纲").err)
    cli("ask", "what about \x1b[31mrust ownership?")
    run = cli("search", "周报")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    heads, details = lines[0::2], lines[1::2]
    assert all(h.split("  ")[1] == ids["session"] for h in heads)
    assert "帮我写一份周报的提纲" in heads[0]  # the conversation's name: the question
    assert all(d.startswith("    ") for d in details)
    asked = [d for d in details if "(question): 帮我写一份周报的提纲" in d]
    assert len(asked) == 1 and asked[0].startswith("    message ")
    hits = json.loads(cli("search", "--json", "周报", "提纲").out)
    assert [h["conversation"] for h in hits] == [ids["session"]] * len(hits)
    first = next(h for h in hits if h["role"] == "user")
    assert set(first) == {"conversation", "name", "message", "role", "time", "snippet", "spans"}
    assert (first["role"], first["snippet"]) == ("user", "帮我写一份周报的提纲")
    assert [first["snippet"][a:b] for a, b in first["spans"]] == ["周报", "提纲"]
    assert all(h["message"] in run.out for h in hits if h["message"])
    assert any(h["message"] == "" for h in hits)  # the name matches too
    assert "\x1b" not in cli("search", "rust").out  # the name as typed, sanitised


def test_no_hit_is_exit_1_with_a_line_on_stderr(cli: Cli) -> None:
    cli("ask", "hello there")
    run = cli("search", "鲸鱼座")
    assert (run.code, run.out) == (1, "")
    assert run.err.strip() == "No conversation holds '鲸鱼座'."
    run = cli("search", "--json", "鲸鱼座")
    assert (run.code, json.loads(run.out)) == (1, [])


def test_syntax_characters_and_bad_options_are_plain_errors(cli: Cli) -> None:
    cli("ask", 'what does "NEAR(" or * mean?')
    for query in ('"', "*", "AND", "NEAR(", "-x"):
        run = cli("search", "--", query)
        assert run.code in (0, 1), run.err
        assert "Traceback" not in run.err and "unexpected error" not in run.err
    assert cli("search", "--", "NEAR(").code == 0
    for bad in (("--limit", "0", "x"), ("--limit", "many", "x"), ("",), ("   ",)):
        run = cli("search", *bad)
        assert run.code == 2, bad
        assert "Traceback" not in run.err
    assert "give the words to search for" in cli("search", " ").err


def test_limit_and_accounts(cli: Cli) -> None:
    for n in range(4):
        cli("ask", f"note number {n}")
    hits = json.loads(cli("search", "--json", "--limit", "3", "note").out)
    assert len(hits) == 3
    other = f"bce-v3/ALTAK-other{cli.key[-8:]}/{'0' * 32}"
    theirs = cli("search", "note", env={"QIANFAN_API_KEY": other})
    assert theirs.code == 1 and theirs.out == ""
