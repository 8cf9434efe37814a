"""Answers that are mostly prose: science, history, writing, small talk."""

from __future__ import annotations

from .topic import Topic

__all__ = ["PROSE"]

_SKY = """天空是蓝色的，是因为**瑞利散射**（Rayleigh scattering）。

阳光看起来是白色的，其实包含了各种颜色的光。它穿过大气层时，会碰到比光的波长小得多的氮气和氧气分子。\
这些分子散射短波长的光比散射长波长的光强得多——散射强度大约与波长的四次方成反比，所以蓝光被散射的程度是红光的五倍左右。\
被散射的蓝光从四面八方进入我们的眼睛，于是整片天空都显得是蓝色的。

那为什么不是紫色？紫光的波长更短，但阳光里的紫光本来就少，一部分还被高层大气吸收了，而且人眼对蓝光更敏感。

At sunrise and sunset the light crosses much more air, so most of the blue is scattered away \
before it reaches you, and the reds and oranges are what is left."""

_RIVERS = """Rivers form where water keeps finding the same way downhill.

1. **Rain and snowmelt** collect in small channels called rills.
2. Rills join into **streams**; the flowing water carries sand and pebbles that \
scrape the bed deeper — this is *erosion*.
3. Streams meet and become a **river**, fed by springs and groundwater even when it does not rain.
4. Near the sea the river slows, drops its sediment and builds a **delta**.

河流的形成需要稳定的水源和足够的坡度。黄河之所以“黄”，是因为它流经黄土高原，带走了大量泥沙。"""

_POEM = """为你写一首小诗：

> **秋夜**
>
> 风把桂花的香气
> 轻轻折成一封信，
> 寄给窗前没睡的人——
> 月亮是邮戳，
> 落在很远很远的地方。

*The wind folds the scent of osmanthus into a letter, and the moon is its postmark.*"""

_HISTORY = """中国历史上几个主要的朝代：

| 朝代 | 时间 | 都城 | 代表人物或成就 |
|---|---|---|---|
| 秦 | 前 221—前 207 | 咸阳 | 秦始皇统一文字、度量衡 |
| 汉 | 前 202—220 | 长安、洛阳 | 张骞出使西域，丝绸之路 |
| 唐 | 618—907 | 长安 | 李白、杜甫，贞观之治 |
| 宋 | 960—1279 | 汴京、临安 | 活字印刷，苏轼 |
| 明 | 1368—1644 | 南京、北京 | 郑和下西洋，修建紫禁城 |
| 清 | 1644—1912 | 北京 | 康乾盛世 |

The Tang dynasty is often seen as the high point of classical Chinese poetry."""

_MATH = """勾股定理：直角三角形两条直角边的平方和，等于斜边的平方，即 **a² + b² = c²**。

一个直观的证明：把四个相同的直角三角形拼进一个边长为 `a + b` 的大正方形，\
中间会空出一个边长为 `c` 的小正方形。\
大正方形的面积既等于 `(a + b)²`，也等于 `4 × ab/2 + c²`，展开化简就得到 `a² + b² = c²`。

```python
import math

for a, b in [(3, 4), (5, 12), (8, 15)]:
    print(a, b, math.hypot(a, b))   # 5.0, 13.0, 17.0
```

Triples like (3, 4, 5) where all three sides are whole numbers are called *Pythagorean triples*."""

_AI = """大模型（large language model, LLM）是在海量文本上训练出来的神经网络，\
它做的事情说起来很简单：\
**根据前文预测下一个词**。当模型足够大、数据足够多时，这种预测能力就表现出了理解、推理和写作的能力。

- **训练 Training**：先在通用语料上预训练，再用指令数据和人类反馈微调
- **使用 Using**
  - 网页对话：直接在浏览器里提问
  - API：通过千帆等平台按 token 计费调用
- **局限 Limits**
  - 可能一本正经地“编造”事实（幻觉）
  - 知识有截止时间，需要联网搜索来补充

> Treat its answers like a well-read colleague's: usually helpful, \
worth checking when it matters."""

_COMPARE = """Python、Rust 和 Go 的对比：

| 方面 | Python | Rust | Go |
|---|---|---|---|
| 类型系统 | 动态类型 | 静态类型，所有权 | 静态类型 |
| 运行速度 | 较慢 | 很快 | 快 |
| 学习曲线 | 平缓 | 陡峭 | 平缓 |
| 内存管理 | 垃圾回收 | 编译期检查 | 垃圾回收 |
| 典型用途 | 数据分析、脚本、AI | 系统编程、命令行工具 | 网络服务、云原生 |

简单说：**要快速出成果选 Python，要极致性能和安全选 Rust，要写高并发服务选 Go。**"""

_TRANSLATE = """Here are the translations, with a note on tone. 翻译如下：

| 中文 | English | 说明 |
|---|---|---|
| 辛苦了 | Thanks for your hard work | 对同事、下属说 |
| 慢走 | Take care | 送客时说，不是“walk slowly” |
| 加油 | You can do it! | 鼓励别人 |
| 随便 | Whatever you like | 语气可能显得不在意 |

Literal translation rarely works for set phrases: translate the *intent*, not the words."""

_JOKE = """来一个程序员笑话：

程序员的妻子说：“去超市买一个面包，如果有鸡蛋，就买六个。”
程序员回来时抱着六个面包。妻子问为什么，他说：“因为有鸡蛋。” 🥚

*Why do programmers prefer dark mode? Because light attracts bugs.*"""

_WEATHER = """我是离线演示模式，查不到实时天气。不过出门前可以这样判断：

- 看天气 App 的**逐小时降水概率**，超过 40% 就带伞
- 早晚温差大的季节，按“洋葱穿衣法”一层一层穿
- Air quality matters too: check the AQI if you plan to run outdoors."""

_THANKS = "不客气！还有什么想问的，随时告诉我。 You're welcome!"

_ARITHMETIC = "1 + 1 = 2。"

PROSE: tuple[Topic, ...] = (
    Topic("sky", ("天空", "蓝色", "sky", "blue", "rayleigh", "散射"), _SKY),
    Topic("rivers", ("河流", "黄河", "长江", "river", "erosion", "delta"), _RIVERS),
    Topic("poem", ("诗", "poem", "poetry", "haiku", "verse"), _POEM),
    Topic("history", ("历史", "朝代", "history", "dynasty", "唐朝", "秦始皇"), _HISTORY),
    Topic("math", ("勾股", "数学", "定理", "pythagoras", "theorem", "math", "triangle"), _MATH),
    Topic(
        "ai",
        ("大模型", "千帆", "人工智能", "机器学习", "llm", "ai", "machine learning", "文心"),
        _AI,
    ),
    Topic("compare", ("对比", "比较", "区别", "compare", "difference", "versus", "vs"), _COMPARE),
    Topic("translate", ("翻译", "英文", "translate", "translation", "english"), _TRANSLATE),
    Topic("joke", ("笑话", "幽默", "joke", "funny"), _JOKE),
    Topic("weather", ("天气", "下雨", "weather", "rain", "forecast"), _WEATHER),
    Topic("thanks", ("谢谢", "多谢", "thanks", "thank", "再见", "bye"), _THANKS),
    Topic("arithmetic", ("1+1", "1 + 1", "一加一"), _ARITHMETIC),
)
