"""Answers about programming: code in several languages."""

from __future__ import annotations

from .topic import Topic

__all__ = ["CODE"]

_FIBONACCI = '''斐波那契数列的每一项是前两项之和。递归写法最直观，但要加缓存，否则会重复计算：

```python
from functools import cache


@cache
def fib(n: int) -> int:
    """The n-th Fibonacci number."""
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print([fib(i) for i in range(10)])  # [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
```

同样的逻辑用 Rust 写成迭代，不会栈溢出：

```rust
fn fib(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}
```

- `@cache` 让复杂度从指数级降到 **O(n)**。
- For `n` beyond 93 a `u64` overflows: use `u128` or a big-integer crate.'''

_PYTHON = """Python is a general-purpose language known for readable code and a huge \
standard library. 它是动态类型、解释执行的语言，常用于数据分析、自动化脚本、Web 后端和机器学习。

```python
from collections import Counter

words = "the quick brown fox jumps over the lazy dog the end".split()
for word, count in Counter(words).most_common(3):
    print(f"{word:>6} {count}")
```

Why people like it:

1. **Batteries included**: `json`, `pathlib`, `sqlite3`, `asyncio` ship with it.
2. **Readable**: indentation is syntax, so code looks the same everywhere.
3. **Ecosystem**: NumPy, pandas, FastAPI, PyTorch.

> Tip: start with `python -m venv .venv` so each project has its own packages."""

_LISTS = """### Python lists 列表

A `list` is an ordered, mutable sequence. 列表可以存放任意类型的元素，并且可以随时增删。

- **创建 Create**: `[1, 2, 3]`, `list(range(5))`
- **访问 Access**: `items[0]`, `items[-1]`, slices like `items[1:3]`
- **修改 Change**:
  - `append(x)` adds one item at the end
  - `extend(other)` adds many
  - `insert(i, x)`, `pop()`, `remove(x)`

```python
fruits = ["apple", "banana"]
fruits.append("cherry")
fruits.insert(0, "mango")
print(fruits[1:3])          # ['apple', 'banana']
squares = [n * n for n in range(6) if n % 2 == 0]
print(squares)              # [0, 4, 16]
```

- Lists are *mutable*: use a `tuple` when the data should not change."""

_OWNERSHIP = """### Ownership in Rust 所有权

Rust manages memory without a garbage collector through three rules:

1. Each value has exactly one **owner**.
2. When the owner goes out of scope, the value is dropped.
3. Assigning or passing a value **moves** it; the old name can no longer be used.

```rust
fn main() {
    let s1 = String::from("你好");
    let s2 = s1;            // s1 is moved into s2
    // println!("{s1}");    // error[E0382]: borrow of moved value
    println!("{s2}");
    let n = 5;
    let m = n;              // integers are Copy: both stay usable
    println!("{n} {m}");
}
```

所有权规则在编译期检查，运行时没有额外开销。想共享数据而不转移所有权，就用**借用**（`&T`）。"""

_BORROWING = """Borrowing lets code use a value without taking ownership. 借用分两种：

| 借用 Borrow | 写法 | 同时可以有几个 | 能否修改 |
|---|---|---|---|
| 共享借用 shared | `&T` | 任意多个 | 不能 |
| 可变借用 mutable | `&mut T` | 只能一个 | 能 |

```rust
fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.len() >= b.len() { a } else { b }
}

fn push_twice(v: &mut Vec<i32>, x: i32) {
    v.push(x);
    v.push(x);
}

fn main() {
    let mut numbers = vec![1, 2];
    push_twice(&mut numbers, 3);
    println!("{:?} {}", numbers, longest("ownership", "borrow"));
}
```

The borrow checker guarantees that a reference never outlives the value it points to, \
so there are no dangling pointers and no data races."""

_JAVASCRIPT = """在 JavaScript 里，**防抖（debounce）**让一个函数在事件停止触发一段时间后才执行，\
适合搜索框输入、窗口缩放等高频事件。

```javascript
function debounce(fn, wait = 300) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), wait);
  };
}

const search = debounce((text) => {
  fetch(`/api/search?q=${encodeURIComponent(text)}`)
    .then((response) => response.json())
    .then((data) => console.log(data.results));
}, 500);

document.querySelector("#q").addEventListener("input", (e) => search(e.target.value));
```

- **Debounce** waits for quiet; **throttle** runs at most once per interval.
- 在 React 中记得用 `useMemo` 或 `useRef` 保存防抖后的函数，否则每次渲染都会重新创建。"""

_SQL = """Here is a query that finds each customer's total spending, highest first. \
这条 SQL 用 `JOIN` 关联两张表，再用 `GROUP BY` 汇总：

```sql
SELECT c.name,
       COUNT(o.id)   AS orders,
       SUM(o.amount) AS total
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.id
WHERE o.created_at >= DATE '2025-01-01'
GROUP BY c.name
HAVING SUM(o.amount) > 100
ORDER BY total DESC
LIMIT 5;
```

A result might look like this:

| name | orders | total |
|---|---:|---:|
| 王小明 | 12 | 3,280.00 |
| Alice | 7 | 1,945.50 |
| 李华 | 3 | 420.00 |

> 提示：在 `orders.customer_id` 上建索引，`JOIN` 会快很多。"""

_SHELL = """A few shell one-liners that come up every day. 常用命令如下：

```bash
# 找出当前目录下最大的 10 个文件
du -ah . 2>/dev/null | sort -rh | head -n 10

# 在所有 Python 文件里查找 TODO，显示行号
grep -rn --include='*.py' 'TODO' .

# 批量把 .jpeg 改名为 .jpg
for f in *.jpeg; do mv -- "$f" "${f%.jpeg}.jpg"; done

# 每 2 秒看一次端口 8080 上的连接
watch -n 2 'ss -tnp | grep :8080'
```

- `set -euo pipefail` at the top of a script stops it at the first error.
- 用 `shellcheck script.sh` 检查脚本里的常见错误。"""

_GIT = """A safe everyday Git workflow:

1. Update and branch
   - `git switch main && git pull --rebase`
   - `git switch -c feature/login`
2. Work in small commits
   - `git add -p` 逐块挑选要提交的改动
   - `git commit -m "Add login form"`
3. Share
   - `git push -u origin feature/login`
   - open a pull request and ask for review

```shell
# 撤销最近一次提交，但保留改动
git reset --soft HEAD~1

# 看看每一行是谁改的
git blame -L 10,20 src/app.py

# 找回“丢失”的提交
git reflog | head
```

> Never `git push --force` to a shared branch; `--force-with-lease` is the safer form."""

_REGEX = r"""正则表达式（regular expression）用来描述文本的模式。常见写法：

| 模式 Pattern | 含义 Meaning | 例子 |
|---|---|---|
| `\d+` | 一个或多个数字 | `2025` |
| `\w+@\w+\.\w+` | 简单的邮箱 | `a@b.cn` |
| `^\s*$` | 空行 | |
| `[\u4e00-\u9fff]+` | 连续的汉字 | `你好` |

```python
import re

text = "订单 A1024 于 2025-03-01 发货，A1025 于 2025-03-02 发货。"
for order, day in re.findall(r"(A\d+) 于 (\d{4}-\d{2}-\d{2})", text):
    print(order, day)
```

Compile a pattern once with `re.compile` when you use it in a loop."""

_GO = """Go makes concurrency cheap: a **goroutine** costs a few kilobytes, and \
**channels** pass values between them. 下面的例子并发抓取多个网址：

```go
package main

import (
	"fmt"
	"net/http"
	"sync"
)

func main() {
	urls := []string{"https://example.com", "https://example.org"}
	var wg sync.WaitGroup
	results := make(chan string, len(urls))
	for _, url := range urls {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			resp, err := http.Get(u)
			if err != nil {
				results <- fmt.Sprintf("%s: %v", u, err)
				return
			}
			resp.Body.Close()
			results <- fmt.Sprintf("%s: %d", u, resp.StatusCode)
		}(url)
	}
	wg.Wait()
	close(results)
	for line := range results {
		fmt.Println(line)
	}
}
```

- “不要通过共享内存来通信，而要通过通信来共享内存。”"""

_DOCKER = """把一个 Python Web 应用打包成镜像，只需要一个简短的 `Dockerfile`：

```dockerfile
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 8000
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
```

```bash
docker build -t myapp:1.0 .
docker run -d --name myapp -p 8000:8000 myapp:1.0
docker logs -f myapp
```

- Copy `requirements.txt` before the code: the dependency layer stays cached.
- 不要把密钥写进镜像，用环境变量或 secrets 传入。"""

_HTTP = """A REST API is called with plain HTTP. 用 `curl` 发一个 JSON 请求：

```bash
curl -s https://api.example.com/v1/todos \\
  -H 'Content-Type: application/json' \\
  -d '{"title": "买牛奶", "done": false}'
```

The server answers with the created resource:

```json
{
  "id": 42,
  "title": "买牛奶",
  "done": false,
  "created_at": "2025-03-01T08:00:00Z"
}
```

| 方法 Method | 用途 | 幂等 Idempotent |
|---|---|---|
| `GET` | 读取 | 是 |
| `POST` | 创建 | 否 |
| `PUT` | 整体替换 | 是 |
| `DELETE` | 删除 | 是 |"""

_C = """指针保存的是另一个变量的**地址**。`*p` 读写它指向的值，`&x` 取得 `x` 的地址：

```c
#include <stdio.h>

void swap(int *a, int *b) {
    int tmp = *a;
    *a = *b;
    *b = tmp;
}

int main(void) {
    int x = 1, y = 2;
    swap(&x, &y);
    printf("x=%d y=%d\\n", x, y);  /* x=2 y=1 */
    return 0;
}
```

- 使用前先初始化指针；释放后把它设为 `NULL`。
- Out-of-bounds access is *undefined behaviour*: compile with `-fsanitize=address` to catch it."""

CODE: tuple[Topic, ...] = (
    Topic("fibonacci", ("fibonacci", "斐波那契", "recursion", "递归"), _FIBONACCI),
    Topic("lists", ("list", "列表", "array", "数组"), _LISTS),
    Topic("rust ownership", ("ownership", "所有权", "rust"), _OWNERSHIP),
    Topic("rust borrowing", ("borrow", "借用", "lifetime", "生命周期", "引用"), _BORROWING),
    Topic("python", ("python", "pip", "pandas"), _PYTHON),
    Topic("javascript", ("javascript", "js", "debounce", "防抖", "前端", "react"), _JAVASCRIPT),
    Topic("sql", ("sql", "数据库", "database", "query", "查询", "mysql", "postgres"), _SQL),
    Topic("shell", ("shell", "bash", "linux", "命令", "command", "终端", "grep"), _SHELL),
    Topic("git", ("git", "commit", "branch", "分支", "rebase", "github"), _GIT),
    Topic("regex", ("regex", "正则", "regular expression", "pattern"), _REGEX),
    Topic("go", ("golang", "goroutine", "并发", "concurrency", "channel"), _GO),
    Topic("docker", ("docker", "容器", "container", "镜像", "部署", "deploy"), _DOCKER),
    Topic("http", ("http", "api", "rest", "接口", "curl", "json"), _HTTP),
    Topic("c", ("c语言", "pointer", "指针", "malloc"), _C),
)
