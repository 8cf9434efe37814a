"""Answers for any question (a stable hash of the question picks one), and the
long answer (several screens) asked for by name. ``«Q»`` stands for the
question."""

from __future__ import annotations

from .topic import Topic

__all__ = ["GENERAL", "LONG"]

GENERAL: tuple[str, ...] = (
    """关于“«Q»”，可以从三个角度来看：

1. **是什么**：先把问题说清楚——涉及哪些对象，边界在哪里。
2. **为什么**：找出背后的原因，通常不止一个
   - 直接原因：眼前能看到的
   - 根本原因：多问几次“为什么”才会出现
3. **怎么办**：从代价最小、见效最快的一步开始。

如果你能告诉我更多背景，我可以说得更具体。""",
    """### «Q»

这个问题没有唯一的答案，不同做法各有取舍：

| 做法 | 优点 | 缺点 |
|---|---|---|
| 先小范围试一试 | 成本低，能很快得到反馈 | 结论可能不够全面 |
| 先系统调研 | 考虑周全 | 花的时间长 |
| 请教有经验的人 | 少走弯路 | 要找到合适的人 |

我的建议是**先小范围试一试**，边做边调整。""",
    """Good question! Here is how I would think about "«Q»":

- **Start from the goal.** What would a good outcome look like, concretely?
- **List the options**, even the unlikely ones:
  - the obvious one
  - the cheap one
  - the one nobody has tried yet
- **Pick one and set a check-in date**, so a wrong choice costs little.

> 一句话：先想清楚目标，再选最便宜的一步去验证。""",
    """“«Q»”——这是很多人都会遇到的问题。

简单来说，关键在于**循序渐进**。一开始不要追求完美，把最基本的部分做好，再一点点改进。\
很多看起来复杂的事情，拆成足够小的步骤之后，每一步都并不难。

Once the first small step works, the next one is usually obvious. \
有了第一步的结果，第二步往往就清楚了。""",
    """## «Q»

### 常见问题 FAQ

**Q：从哪里开始？**
A：先找一个具体的小例子，动手做一遍。

**Q：遇到卡住怎么办？**
A：把问题写下来，说清楚“期望是什么、实际是什么”——很多时候写着写着就想明白了。

**Q: How do I know it is working?**
A: Decide on one number to watch before you start, and check it once a week.""",
    """Here is a checklist for "«Q»". 可以按这个清单逐项确认：

1. 目标 Goal
   - 一句话写出想达到的结果
   - 定一个完成的时间
2. 资源 Resources
   - 需要谁的帮助？
   - 需要多少时间和预算？
3. 风险 Risks
   - 最可能出问题的是哪一步？
   - 出了问题的备选方案是什么？
4. 复盘 Review
   - 结束后花 10 分钟记录做得好的和可以改进的""",
)
"""Shapes of an answer to any question: steps, a table, an English list, a
paragraph, questions and answers, a checklist."""

_LONG = """# 完整指南 A complete guide

关于“«Q»”，这是一份很长的回答，一共八节，可以慢慢往下读。\
This is a long answer: it runs over several screens, with headings, lists, tables and code.

## 1. 准备工作 Getting ready

Before you start, make sure the basics are in place. 开始之前，先确认下面几件事：

- 一台能联网的电脑，终端至少 80 列宽
- 一个趁手的编辑器
  - VS Code、Vim、Emacs 都可以
  - 打开自动保存和格式化
- 一个版本控制仓库，随时可以回到上一个能用的状态

## 2. 第一步 The first step

第一步永远是最小的那一步：让一个最简单的版本跑起来。不要一开始就考虑所有情况，\
先让主流程走通，再补上边界情况。很多项目失败，不是因为难，而是因为第一步迈得太大。

```python
def main() -> None:
    print("第一步：跑起来")


if __name__ == "__main__":
    main()
```

## 3. 逐步完善 Growing it

有了能跑的版本之后，每次只改一处，改完立刻验证：

1. 写一个测试，描述想要的行为
2. 修改代码，让测试通过
3. 整理代码，让它更清楚
   - 起好名字
   - 删掉重复
   - 把长函数拆短

| 阶段 | 目标 | 完成的标志 |
|---|---|---|
| 能跑 | 主流程走通 | 手动试一遍没问题 |
| 能用 | 常见错误有提示 | 新用户不看文档也能用 |
| 好用 | 快、稳、顺手 | 用户愿意推荐给别人 |

## 4. 处理错误 Handling errors

Every program meets bad input. 好的程序对错误的处理方式是：说清楚发生了什么、用户能做什么，\
并且不丢失用户已经输入的内容。

```rust
use std::fs;

fn read_config(path: &str) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("无法读取配置文件 { {path} }：{ {e} }"))
}
```

- 错误信息用用户听得懂的话
- 给出下一步怎么做的提示
- 记录日志，但不要记录密码和密钥

## 5. 性能 Performance

先测量，再优化。凭感觉优化往往优化错了地方。

```bash
# 粗略计时
time ./app --run-once

# 找出最耗时的函数
python -m cProfile -s cumtime app.py | head -n 20
```

常见的性能问题和对策：

- **重复计算**：缓存结果
- **逐条处理**：改成批量
- **每次都重新渲染全部内容**：只渲染变化的部分
  - 已经完成的部分渲染一次后保存下来
  - 只更新最后一段

## 6. 测试 Testing

Tests are how you keep it working while it changes. 测试要测用户能看到的行为，而不是内部细节：

```python
def test_greeting_names_the_user() -> None:
    assert greet("小明") == "你好, 小明!"
```

| 测试类型 | 速度 | 覆盖面 |
|---|---|---|
| 单元测试 | 很快 | 一个函数 |
| 集成测试 | 较快 | 几个部件一起 |
| 端到端测试 | 慢 | 整个应用 |

## 7. 发布 Shipping

1. 更新版本号和更新日志
2. 在干净的环境里从头安装一遍
3. 打标签、发布
4. 观察反馈，准备好下一个修复版本

## 8. 总结 Summary

- 从最小的一步开始
- 每次只改一处，改完就验证
- 先测量再优化
- 对用户说人话

> 坚持这几条，项目就会一天比一天好。Keep going: small steps add up."""

LONG = Topic(
    "long",
    ("long", "详细", "详解", "长文", "完整", "guide", "指南", "tutorial", "教程", "detail"),
    _LONG,
)
