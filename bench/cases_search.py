"""Search over the library (issue 14): ``Library.search`` on a library of
10,000 conversations and 200,000 messages, half of them Chinese.

The library is built once (the questions and answers made from the demo
bot's corpus, sentences mixed and words of a made-up Zipf-distributed
vocabulary sprinkled in, so that words range from rare to common as in a
real library) and kept in the temporary directory across runs
(``ernie-bench-search-v*.db``); a change of :data:`BUILD` or of the schema
builds it anew. The messages are inserted in bulk, as the web cache stores a
fetched history: one ``executemany`` per 100 conversations in one
transaction, indexed together at its end (``bulk_indexing``); the indexing
rate is that, timed on a fresh build (the first run) or on a fresh
20,000-message library (later runs). The rate through the library's own
methods (a question, then an answer streamed in 8 pieces and finished: what
the app does) is measured on 1,000 messages.

Each query is run ``runs`` times (after one warm-up run); a category's
figure is the median of its queries' times, with the range over all of them.
"""

from __future__ import annotations

import random
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ernie_tui.library import ROOT, SCHEMA_VERSION, Library
from ernie_tui.library._schema import bulk_indexing
from ernie_tui.server.corpus import GENERAL, TOPICS
from ernie_tui.server.corpus.topic import QUESTION_MARK

from .cases import Bench, Figure
from .harness import median

CONVERSATIONS = 10_000
MESSAGES = 200_000
ACCOUNT = "qianfan:bench"
BUILD = 3  # bump when the generated text or the schema changes
SEED = 14

_CJK = re.compile(r"[\u3400-\u9fff]")
_COMMON_HAN = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
    "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原"
    "又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革"
    "位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强"
    "放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交"
)
_SYLLABLES = tuple(
    [
        "ka",
        "to",
        "ri",
        "mu",
        "sen",
        "vel",
        "dor",
        "pax",
        "quin",
        "lo",
        "ta",
        "ne",
        "bri",
        "sta",
        "fal",
        "gor",
        "im",
        "ul",
        "zen",
        "mar",
        "tor",
        "vis",
        "cal",
        "dun",
        "hex",
        "lin",
        "ob",
        "ra",
        "sur",
        "tem",
        "wix",
        "yor",
    ]
)
_EN_QUESTIONS = (
    "How do I {w} with {v}?",
    "What is the difference between {w} and {v}?",
    "Can you explain {w} in simple terms?",
    "Write a short note about {w} and {v}.",
    "Why does my {w} keep failing after {v}?",
)
_ZH_QUESTIONS = (
    "怎么用{v}做{w}？",
    "{w}和{v}有什么区别？",
    "帮我写一份{w}的提纲",
    "请简单解释一下{w}。",
    "为什么{w}之后{v}总是出错？",
)


def _vocabulary(rng: random.Random) -> tuple[list[str], list[str]]:
    """Made-up words: 4,000 Chinese ones (2–4 characters) and 4,000
    English-looking ones (2–4 syllables), each list in Zipf order (the first
    the most common)."""
    zh: dict[str, None] = {}
    while len(zh) < 4000:
        zh["".join(rng.choice(_COMMON_HAN) for _ in range(rng.choice((2, 2, 2, 3, 3, 4))))] = None
    en: dict[str, None] = {}
    while len(en) < 4000:
        en["".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4))))] = None
    return list(zh), list(en)


def _sentences() -> tuple[list[str], list[str]]:
    """The corpus's lines, Chinese and English apart."""
    zh: list[str] = []
    en: list[str] = []
    texts = [t.text for t in TOPICS if t.text] + list(GENERAL)
    for text in texts:
        for line in text.splitlines():
            line = line.strip()
            if len(line) < 8:
                continue
            (zh if len(_CJK.findall(line)) * 4 > len(line) else en).append(line)
    return zh, en


class _Text:
    """The generator of questions and answers."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.zh_words, self.en_words = _vocabulary(self.rng)
        self.zh_lines, self.en_lines = _sentences()
        weights = [1 / (rank + 1) for rank in range(4000)]
        self._cumulative: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self._cumulative.append(total)

    def word(self, chinese: bool) -> str:
        words = self.zh_words if chinese else self.en_words
        return self.rng.choices(words, cum_weights=self._cumulative)[0]

    def question(self, chinese: bool) -> str:
        form = self.rng.choice(_ZH_QUESTIONS if chinese else _EN_QUESTIONS)
        return form.format(w=self.word(chinese), v=self.word(chinese))

    def answer(self, chinese: bool) -> str:
        rng = self.rng
        lines = self.zh_lines if chinese else self.en_lines
        parts: list[str] = []
        for _ in range(rng.randint(4, 12)):
            line = rng.choice(lines).replace(QUESTION_MARK, self.word(chinese))
            count = rng.randint(1, 4)
            if chinese:
                parts.append(line + "，".join(self.word(True) for _ in range(count)) + "。")
            else:
                parts.append(line + " " + " ".join(self.word(False) for _ in range(count)))
        return "\n\n".join(parts)


def _library_file() -> Path:
    return Path(tempfile.gettempdir()) / f"ernie-bench-search-v{BUILD}-s{SCHEMA_VERSION}.db"


def _rows(
    text: _Text, conversation: int, first_seq: int, start: datetime, count: int
) -> Iterator[tuple[object, ...]]:
    """``count`` messages (questions and answers in turn) of one conversation."""
    chinese = conversation % 2 == 0
    moment = start
    for n in range(count):
        seq = first_seq + n
        user = n % 2 == 0
        body = text.question(chinese) if user else text.answer(chinese)
        moment += timedelta(seconds=text.rng.randint(5, 300))
        yield (
            seq,
            f"b{seq:015x}",
            conversation,
            seq - 1 if n else None,
            "user" if user else "assistant",
            body,
            moment.isoformat(timespec="microseconds"),
        )


def build(path: Path, conversations: int, messages: int) -> float:
    """A library of ``conversations`` with ``messages`` in all, inserted in
    bulk; returns the seconds the messages took (their indexing included)."""
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    text = _Text(SEED)
    lib = Library(path)
    db = lib._db
    began = datetime(2023, 1, 1, tzinfo=UTC)
    per = messages // conversations
    db.execute("BEGIN")
    for c in range(1, conversations + 1):
        created = (began + timedelta(minutes=90 * c)).isoformat(timespec="microseconds")
        chinese = c % 2 == 0
        name = text.question(chinese)[:30]
        db.execute(
            "INSERT INTO conversations (seq, id, account, backend, name, created, activity) "
            "VALUES (?, ?, ?, 'qianfan', ?, ?, ?)",
            (c, f"c{c:015x}", ACCOUNT, name, created, created),
        )
    db.execute("COMMIT")
    elapsed = 0.0
    seq = 1
    batch: list[tuple[object, ...]] = []
    for c in range(1, conversations + 1):
        start = began + timedelta(minutes=90 * c)
        batch.extend(_rows(text, c, seq, start, per))
        seq += per
        if c % 100 == 0 or c == conversations:
            t0 = time.perf_counter()
            db.execute("BEGIN")
            with bulk_indexing(db):  # as the web cache keeps a fetched history
                db.executemany(
                    "INSERT INTO messages (seq, id, conversation, parent, role, text, created) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    batch,
                )
            db.execute("COMMIT")
            elapsed += time.perf_counter() - t0
            batch.clear()
    db.execute("BEGIN")
    db.execute(
        "UPDATE conversations SET current = seq * ? , activity = "
        "(SELECT max(created) FROM messages WHERE conversation = conversations.seq)",
        (per,),
    )
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    lib.close()
    return elapsed


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def _index_mb(path: Path) -> float:
    """What the search indexes (and the index by time) take of the file."""
    db = sqlite3.connect(path)
    try:
        rows = db.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'message_index%' "
            "OR name LIKE 'name_index%' OR name = 'messages_by_created'"
        ).fetchone()
    except sqlite3.Error:
        return float("nan")
    finally:
        db.close()
    return float(rows[0] or 0) / 1e6


def _through_methods(count: int) -> float:
    """Messages a second through the library's own methods: questions kept,
    answers started, streamed in 8 pieces and finished (on a file)."""
    text = _Text(SEED + 1)
    with tempfile.TemporaryDirectory(prefix="ernie-bench-") as tmp:
        lib = Library(Path(tmp) / "library.db")
        cid = lib.new_conversation(ACCOUNT, "methods")
        parent = ROOT
        began = time.perf_counter()
        for n in range(count // 2):
            chinese = n % 2 == 0
            question = lib.add_question(ACCOUNT, cid, text.question(chinese), parent)
            answer = lib.start_answer(ACCOUNT, cid, question, "ernie-4.5-turbo-32k")
            body = text.answer(chinese)
            step = max(1, len(body) // 8)
            for at in range(0, len(body), step):
                lib.append_answer(ACCOUNT, answer, body[at : at + step])
            lib.finish_answer(ACCOUNT, answer)
            parent = answer
        took = time.perf_counter() - began
        lib.close()
    return count / took


#: (category, query) pairs; the made-up words are picked by their rank.
def _queries(text: _Text) -> list[tuple[str, str]]:
    zh2 = [w for w in text.zh_words if len(w) == 2]
    zh3 = [w for w in text.zh_words if len(w) >= 3]
    en = text.en_words
    return [
        ("Chinese 2-char", "周报"),
        ("Chinese 2-char", "递归"),
        ("Chinese 2-char", zh2[3]),
        ("Chinese 2-char", zh2[60]),
        ("Chinese 2-char", zh2[900]),
        ("Chinese 2-char", "的"),
        ("Chinese 3+ char", "周报提纲"),
        ("Chinese 3+ char", "斐波那契"),
        ("Chinese 3+ char", zh3[5]),
        ("Chinese 3+ char", zh3[200]),
        ("Chinese 3+ char", zh3[1200]),
        ("English prefix", "week"),
        ("English prefix", "recurs"),
        ("English prefix", "goroutin"),
        ("English prefix", en[4][:5]),
        ("English prefix", en[300][:5]),
        ("English prefix", en[2500][:6]),
        ("mixed", "周报 weekly"),
        ("mixed", "Python 列表"),
        ("mixed", f"{zh2[10]} {en[10][:4]}"),
        ("mixed", f"{en[40]} 的"),
        ("absent", "鲸鱼座"),
        ("absent", "鳕鲟"),
        ("absent", "zyxwvutq"),
        ("absent", "量子纠缠态 quark"),
    ]


CATEGORIES = ("Chinese 2-char", "Chinese 3+ char", "English prefix", "mixed", "absent")


def case_search(bench: Bench, runs: int) -> list[Figure]:
    case = "search (10,000 conversations, 200,000 messages)"
    path = _library_file()
    built_now = not path.exists()
    if built_now:
        bench.log(f"building {path} …")
        t0 = time.perf_counter()
        took = build(path, CONVERSATIONS, MESSAGES)
        bench.log(f"built in {time.perf_counter() - t0:.0f} s")
        rate = MESSAGES / took
        how = f"bulk, the {MESSAGES:,} messages"
    else:
        with tempfile.TemporaryDirectory(prefix="ernie-bench-") as tmp:
            small = Path(tmp) / "library.db"
            rate = (MESSAGES // 10) / build(small, CONVERSATIONS // 10, MESSAGES // 10)
        how = f"bulk, a fresh {MESSAGES // 10:,}-message library"
    figures = [
        Figure(case, f"indexing rate ({how})", "msg/s", None, [rate]),
        Figure(case, "µs per message indexed, bulk (≥ 5,000/s)", "µs", 200, [1e6 / rate]),
    ]
    methods = _through_methods(1000)
    figures.append(
        Figure(case, "µs per message through the library's methods", "µs", 200, [1e6 / methods])
    )
    figures.append(Figure(case, "library file on disk", "MB", None, [_size_mb(path)]))
    figures.append(Figure(case, "of which the search indexes and the index by time", "MB", None))
    figures[-1].values.append(_index_mb(path))
    lib = Library(path)
    try:
        queries = _queries(_Text(SEED))
        times: dict[str, list[float]] = {c: [] for c in CATEGORIES}
        per_query: dict[str, list[float]] = {c: [] for c in CATEGORIES}
        for category, query in queries:
            lib.search(ACCOUNT, query)  # warm-up
            spent = []
            for _ in range(max(1, runs)):
                t0 = time.perf_counter()
                hits = lib.search(ACCOUNT, query)
                spent.append((time.perf_counter() - t0) * 1000)
            per_query[category].append(median(spent))
            times[category] += spent
            bench.log(f"search {query!r}: {len(hits)} hits, {median(spent):.1f} ms")
        for category in CATEGORIES:
            figure = Figure(case, f"search time per query: {category}", "ms", 30)
            figure.values = per_query[category]
            low, high = min(times[category]), max(times[category])
            figure.note = f"{len(per_query[category])} queries, all runs {low:.1f}–{high:.1f} ms"
            figures.append(figure)
    finally:
        lib.close()
    return figures


CASES: dict[str, Callable[[Bench, int], list[Figure]]] = {"search": case_search}
RUNS = {"search": 5}
