"""The conversation as a document (core/export.py): what the app's Export
conversation and the command line's export write."""

from __future__ import annotations

import json

from ernie_tui.api import Chat, Citation, ConversationDetail, Session
from ernie_tui.core.export import conversation_json, conversation_markdown, demote_headings


def _detail() -> ConversationDetail:
    return ConversationDetail(
        Session("42", "周报 \x1b[31mweekly", create_time="2026-11-30 09:00:00"),
        (
            Chat("1", "user", "Write my weekly report"),
            Chat(
                "2",
                "robot",
                "## Summary\n\nDone.\n\n```md\n## not a heading of mine\n```\n\n# Top",
                reasoning="First, list the week.\nThen write.",
                model="ernie-x1-turbo-32k",
                prompt_tokens=12,
                completion_tokens=30,
                citations=(Citation(1, "A source", "https://example.com/a"),),
                flag=1,
                state="incomplete",
            ),
        ),
        "2",
    )


def test_the_answers_headings_sit_under_the_message_heading() -> None:
    assert demote_headings("# One\n## Two\n###### Six\n#no") == "### One\n#### Two\n###### Six\n#no"
    fenced = "```\n# code\n```\n# after"
    assert demote_headings(fenced) == "```\n# code\n```\n### after"


def test_the_markdown_holds_everything_cleaned() -> None:
    text = conversation_markdown(_detail(), system_prompt="Be brief.")
    assert text.startswith("# 周报 weekly\n") and "\x1b" not in text
    assert "started 2026-11-30 09:00:00 (Beijing time)" in text
    assert "> **System prompt:** Be brief." in text
    assert "## You\n\nWrite my weekly report" in text
    assert "#### Summary" in text and "### Top" in text
    assert "```md\n## not a heading of mine\n```" in text
    assert "> **Thinking**" in text and "> Then write." in text
    assert "[1] A source — https://example.com/a" in text
    assert "the answer did not finish" in text and "withheld" in text
    assert "12 + 30 tokens · ernie-x1-turbo-32k" in text


def test_the_json_keeps_the_text_as_it_came() -> None:
    data = conversation_json(_detail(), system_prompt="Be brief.")
    json.dumps(data)  # serialisable
    assert data["name"] == "周报 \x1b[31mweekly" and data["system_prompt"] == "Be brief."
    assert data["create_time"] == "2026-11-30 09:00:00" and data["time_zone"] == "UTC+08:00"
    answer = data["messages"][1]
    assert answer["reasoning"].startswith("First") and answer["usage"]["completion_tokens"] == 30
    assert answer["citations"] == [
        {"index": 1, "title": "A source", "url": "https://example.com/a"}
    ]
    assert answer["state"] == "incomplete" and answer["flag"] == 1
