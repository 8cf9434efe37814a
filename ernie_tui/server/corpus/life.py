"""Answers about everyday life: plans, tables with Chinese cells, nested lists."""

from __future__ import annotations

from .topic import Topic

__all__ = ["LIFE"]

_TRAVEL = """好的！这是一份轻松的**杭州三日游**行程，节奏不赶，适合第一次去：

| 日期 | 上午 | 下午 | 晚上 |
|---|---|---|---|
| 第一天 | 西湖断桥、白堤散步 | 苏堤骑行，花港观鱼 | 湖滨步行街，看音乐喷泉 |
| 第二天 | 灵隐寺、飞来峰 | 龙井村品茶，中国茶叶博物馆 | 河坊街、南宋御街 |
| 第三天 | 西溪湿地摇橹船 | 京杭大运河，拱宸桥 | 返程 |

小贴士：

- 西湖景区周末人多，**早上 8 点前**出发最舒服。
- 地铁 1 号线直达龙翔桥（湖滨），打车到灵隐约 20 分钟。
- 三月到五月、九月到十一月天气最好；夏天记得防晒。"""

_WEST_LAKE = """西湖很大，建议按区域慢慢逛：

1. **北线：断桥与白堤**
   - 从断桥残雪出发，沿白堤走到平湖秋月
   - 孤山上有西泠印社，可以俯瞰湖面
2. **西线：苏堤**
   - 全长近 3 公里，适合租自行车
   - 春天的“苏堤春晓”是西湖十景之首
     - 桃花一般在 3 月下旬开放
     - 清晨人少，光线也好
3. **南线：雷峰塔与净慈寺**
   - 傍晚登雷峰塔看“雷峰夕照”
   - 下塔后可以去净慈寺听晚钟

> 如果只有半天，走北线加一段游船，上三潭印月岛看看，就已经很完整了。"""

_RESTAURANTS = """Here are a few well-loved local places. \
以下是几家口碑不错的本地餐馆（人均仅供参考）：

| 餐馆 | 招牌菜 | 人均 | 特点 |
|---|---|---:|---|
| 楼外楼 | 西湖醋鱼、东坡肉 | ¥150 | 百年老店，临湖 |
| 知味观 | 小笼包、猫耳朵 | ¥60 | 杭帮小吃，适合早餐 |
| 外婆家 | 茶香鸡、麻婆豆腐 | ¥70 | 性价比高，要排队 |
| 新白鹿 | 蛋黄鸡翅、红烧肉 | ¥65 | 分量大，上菜快 |

- 节假日尽量**提前在线取号**。
- Try 龙井虾仁 (shrimp with Longjing tea) at least once: it is the dish of the city."""

_WEEKLY = """### 周报提纲 Weekly report outline

1. **本周完成 Done**
   - 项目 A：完成登录模块，代码已合并
   - 项目 B：修复 3 个线上问题
     - 支付回调超时
     - 导出文件乱码
2. **进行中 In progress**
   - 报表页面重构，预计下周三完成
3. **问题与风险 Risks**
   - 测试环境不稳定，影响联调进度
4. **下周计划 Next week**
   - 上线报表页面
   - 和产品确认二期需求

> 写周报的小技巧：每一条都写**结果**而不是过程，能量化就量化。"""

_STUDY = """A realistic four-week plan beats an ambitious one you drop. 下面是一个四周的学习计划：

| 周次 | 目标 | 每天时间 | 检验方式 |
|---|---|---|---|
| 第 1 周 | 打基础：语法和基本概念 | 1 小时 | 完成 20 道练习题 |
| 第 2 周 | 做一个小项目 | 1.5 小时 | 项目能跑起来 |
| 第 3 周 | 查漏补缺，读优秀代码 | 1 小时 | 写一篇学习笔记 |
| 第 4 周 | 复习和模拟测试 | 2 小时 | 模拟测试 80 分以上 |

- **每天固定时间**学习，比周末突击有效得多。
- Use spaced repetition (Anki) for facts you must remember.
- 每周日花 15 分钟回顾：哪些做到了，哪些要调整？"""

_SLEEP = """睡不好的时候，可以先从这几件小事做起：

- **固定作息**：每天同一时间起床，周末也一样
- **睡前一小时**
  - 放下手机，调暗灯光
  - 洗个热水澡，或者读几页纸质书
- **白天**
  - 晒太阳、适量运动，但睡前 3 小时内避免剧烈运动
  - 下午 2 点以后少喝咖啡和浓茶
- **躺下 20 分钟还睡不着**：起来做点安静的事，有困意再回床上

Most adults need 7–9 hours. 如果失眠持续超过一个月，建议去看医生。"""

_RECIPE = """### 番茄炒蛋 Tomato and eggs

**用料**：番茄 2 个、鸡蛋 3 个、葱 1 根、盐、糖少许。

1. 番茄顶部划十字，开水烫 30 秒后去皮，切块。
2. 鸡蛋加一小撮盐打散；热锅多放油，倒入蛋液，凝固后立刻盛出。
3. 锅里留底油，下番茄中火翻炒，炒出汁后加**半勺糖**提鲜。
4. 倒回鸡蛋，翻炒均匀，加盐调味，撒葱花出锅。

> Tip: take the eggs out while they are still soft; they finish cooking with the tomatoes."""

_EMAIL = """Here is a short, polite draft you can adapt. 请假邮件可以这样写：

> **主题：** 请假申请（3 月 5 日—3 月 6 日）
>
> 王经理您好：
>
> 因家中有事需要处理，我想申请 **3 月 5 日至 3 月 6 日** 两天事假。\
手头的工作已安排妥当：报表由李华代为跟进，紧急事项可以电话联系我。
>
> 感谢理解！
>
> 张伟
> 2025 年 3 月 1 日

- 请假原因写清楚即可，不必过于详细。
- Say who covers for you: it is what the reader cares about most."""

_INTERVIEW = """面试准备可以分成三块：

1. **了解公司**
   - 读官网、产品和最近的新闻
   - 想清楚“为什么是这家公司”
2. **准备故事**（用 STAR 法则）
   - Situation 情境 → Task 任务 → Action 行动 → Result 结果
   - 准备 3 个：一次成功、一次失败、一次合作冲突
3. **准备问题**
   - 团队现在最大的挑战是什么？
   - 这个岗位前三个月的目标是什么？

| 常见问题 | 回答要点 |
|---|---|
| 介绍一下你自己 | 2 分钟：经历 → 亮点 → 为什么来 |
| 你的缺点是什么 | 真实的缺点 + 正在怎么改进 |
| 期望薪资 | 给一个有依据的区间 |"""

_PRODUCTIVITY = """Three habits that help with procrastination. 对付拖延，可以试试：

- **两分钟法则**：两分钟内能做完的事，马上做
- **番茄工作法**
  - 专注 25 分钟，休息 5 分钟
  - 每 4 个番茄钟休息一次长的（15–30 分钟）
- **每天只定三件最重要的事**
  - 早上写下来
  - 先做最难的那件（“先吃青蛙”）

> Progress, not perfection: a small step today is worth more than a perfect plan tomorrow."""

LIFE: tuple[Topic, ...] = (
    Topic(
        "travel",
        ("旅行", "旅游", "日游", "行程", "杭州", "trip", "travel", "itinerary", "hangzhou"),
        _TRAVEL,
    ),
    Topic("west lake", ("西湖", "west lake", "苏堤", "断桥"), _WEST_LAKE),
    Topic("restaurants", ("餐馆", "餐厅", "美食", "好吃", "restaurant", "food"), _RESTAURANTS),
    Topic("weekly report", ("周报", "提纲", "weekly", "report", "outline", "汇报"), _WEEKLY),
    Topic("study plan", ("学习计划", "学习", "study", "learn", "考试", "exam"), _STUDY),
    Topic("sleep", ("睡眠", "睡不着", "失眠", "sleep", "insomnia", "熬夜"), _SLEEP),
    Topic("recipe", ("番茄", "炒蛋", "做饭", "菜谱", "食谱", "recipe", "cook"), _RECIPE),
    Topic("email", ("邮件", "请假", "email", "letter", "写信"), _EMAIL),
    Topic("interview", ("面试", "简历", "interview", "resume", "job", "career"), _INTERVIEW),
    Topic(
        "productivity",
        ("拖延", "效率", "时间管理", "productivity", "procrastination", "focus"),
        _PRODUCTIVITY,
    ),
)
