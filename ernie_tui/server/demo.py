"""The demo account: a handful of conversations a newcomer can look around in."""

from __future__ import annotations

from .bot import answer_for
from .storage import Store

__all__ = ["DEMO_BAIDUID", "DEMO_BDUSS", "seed_demo"]

DEMO_BAIDUID = "DEMO-BAIDUID-0000000000000000:FG=1"
DEMO_BDUSS = "demo-account-offline-not-a-real-cookie"

_CODE_ANSWER = """下面是一个用 Python 计算斐波那契数列的例子：

```python
from functools import cache


@cache
def fib(n: int) -> int:
    \"\"\"The n-th Fibonacci number.\"\"\"
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print([fib(i) for i in range(10)])
```

- `@cache` 记住已经算过的结果，所以复杂度是 **O(n)**。
- For very large `n`, an iterative loop avoids deep recursion.
"""


def seed_demo(store: Store, token: str = DEMO_BDUSS, *, image_base: str = "") -> int:
    """Fill the demo account; returns its account id. Does nothing the second
    time for the same store."""
    account = store.account(token)
    if store.list_sessions(account, pinned=False, limit=1) or store.list_sessions(
        account, pinned=True, limit=1
    ):
        return account

    def conversation(name: str, turns: list[tuple[str, str]], *, pinned: bool = False) -> int:
        session_id = store.new_session(account, name)
        store.bulk_turns(account, session_id, turns)
        if pinned:
            store.pin(account, session_id, True)
        return session_id

    def demo(question: str, turn: int = 1, previous: str = "") -> tuple[str, str]:
        return question, answer_for(question, turn=turn, previous=previous, image_base=image_base)

    conversation(
        "旅行计划 Trip to Hangzhou",
        [
            demo("帮我规划一个杭州三日游"),
            demo("第二天想去西湖，有什么建议？", 2, "帮我规划一个杭州三日游"),
            demo("推荐几家本地餐馆", 3, "第二天想去西湖，有什么建议？"),
        ],
    )
    conversation("画一只小猫", [demo("画一只在窗台上晒太阳的小猫")])
    conversation("Python 斐波那契", [("用 Python 写一个斐波那契函数", _CODE_ANSWER)])
    conversation(
        "Learning Rust",
        [
            demo("What is ownership in Rust?"),
            demo("And borrowing?", 2, "What is ownership in Rust?"),
        ],
    )
    conversation("Weekly report 周报", [demo("帮我写一份周报的提纲")], pinned=True)
    conversation("你好", [demo("你好")], pinned=True)
    return account
