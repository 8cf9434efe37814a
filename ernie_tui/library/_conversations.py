"""The account's conversations: list, create, rename, pin, settings, delete,
and reading one (its current branch, the thread for a request)."""

from __future__ import annotations

from collections.abc import Sequence

from ..api import Chat, Citation, ConversationDetail, Conversations, Session
from ._base import BATCH, Base
from ._errors import NotFoundError
from ._records import ROOT, Conversation, Message, new_id, read_time, valid_text

__all__ = ["ConversationMethods"]


_CONVERSATION_COLUMNS = (
    "c.id, c.name, c.backend, c.pinned_at, c.created, c.activity, c.model, c.system_prompt, cur.id"
)


class ConversationMethods(Base):
    # -- reading ----------------------------------------------------------------

    def list_conversations(self, account: str) -> Conversations:
        """The account's conversations: the pinned ones (the last pinned
        first), then the others by last activity, newest first. A session's
        ``create_time`` is its LAST ACTIVITY (the last question or answer,
        else its creation), as ``"%Y-%m-%d %H:%M:%S"`` in :attr:`zone`."""
        with self._guard() as db:
            rows = db.execute(
                "SELECT id, name, pinned_at, activity, model FROM conversations "
                "WHERE account = ? "
                "ORDER BY pinned_at IS NULL, pinned_at DESC, activity DESC, seq DESC",
                (account,),
            ).fetchall()
        top: list[Session] = []
        normal: list[Session] = []
        for row in rows:
            pinned = row[2] is not None
            (top if pinned else normal).append(
                Session(
                    session_id=str(row[0]),
                    name=str(row[1]),
                    create_time=self._shown(str(row[3])),
                    model=str(row[4]),
                    pinned=pinned,
                )
            )
        return Conversations(tuple(top), tuple(normal))

    def conversation(self, account: str, conversation: str) -> Conversation | None:
        """One of the account's conversations, or ``None``."""
        conversation = valid_text(conversation)
        with self._guard() as db:
            row = db.execute(
                f"SELECT {_CONVERSATION_COLUMNS} FROM conversations c "
                "LEFT JOIN messages cur ON cur.seq = c.current WHERE c.account = ? AND c.id = ?",
                (account, conversation),
            ).fetchone()
        if row is None:
            return None
        return Conversation(
            id=str(row[0]),
            name=str(row[1]),
            backend=str(row[2]),
            pinned=row[3] is not None,
            created=read_time(str(row[4])),
            activity=read_time(str(row[5])),
            model=str(row[6]),
            system_prompt=str(row[7]),
            current=str(row[8]) if row[8] is not None else ROOT,
        )

    def messages(self, account: str, conversation: str) -> tuple[Message, ...] | None:
        """The current branch, oldest first (``None``: no such conversation)."""
        conversation = valid_text(conversation)
        with self._guard() as db:
            self.flush()
            row = db.execute(
                "SELECT current FROM conversations WHERE account = ? AND id = ?",
                (account, conversation),
            ).fetchone()
            if row is None:
                return None
            return tuple(self._branch(row[0]))

    def open(self, account: str, conversation: str) -> ConversationDetail | None:
        """The conversation as the app shows it: the current branch as
        ``Chat`` values (role ``"user"``/``"robot"``), and in
        ``current_chat_id`` the answer the next question follows (the last
        answer of the branch, or :data:`ROOT`)."""
        with self._guard():
            found = self.conversation(account, conversation)
            messages = self.messages(account, conversation)
        if found is None or messages is None:
            return None
        base = Session(
            session_id=found.id,
            name=found.name,
            create_time=self._shown_time(found.activity),
            model=found.model,
            pinned=found.pinned,
        )
        chats = tuple(
            Chat(
                chat_id=m.id,
                role="user" if m.role == "user" else "robot",
                text=m.text,
                create_time=self._shown_time(m.created),
                reasoning=m.reasoning,
                model=m.model,
                prompt_tokens=m.prompt_tokens or 0,
                completion_tokens=m.completion_tokens or 0,
                flag=m.flag,
                citations=tuple(Citation(c.index, c.title, c.url) for c in m.citations),
                state="" if m.state == "complete" or m.role == "user" else m.state,
            )
            for m in messages
        )
        answers = [m.id for m in messages if m.role == "assistant"]
        return ConversationDetail(base, chats, answers[-1] if answers else ROOT)

    def thread(self, account: str, conversation: str, parent: str) -> list[tuple[str, str]]:
        """What a request sends before the new question: the system prompt
        (``("system", …)``, when there is one), then the turns from the first
        question to ``parent`` (roles ``"user"``/``"assistant"``), as stored."""
        with self._guard() as db:
            self.flush()
            row = db.execute(
                "SELECT seq, system_prompt FROM conversations WHERE account = ? AND id = ?",
                (account, conversation),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"there is no conversation {conversation!r}")
            leaf: int | None = None
            if parent not in (ROOT, ""):
                found = db.execute(
                    "SELECT seq FROM messages WHERE conversation = ? AND id = ?", (row[0], parent)
                ).fetchone()
                if found is None:
                    raise NotFoundError(f"there is no message {parent!r} in this conversation")
                leaf = int(found[0])
            turns: list[tuple[str, str]] = [(m.role, m.text) for m in self._branch(leaf)]
        system = str(row[1])
        return [("system", system), *turns] if system else turns

    # -- changing ---------------------------------------------------------------

    def new_conversation(
        self,
        account: str,
        name: str,
        *,
        model: str = "",
        system_prompt: str = "",
        backend: str = "qianfan",
    ) -> str:
        """Create an empty conversation; returns its id."""
        with self._guard() as db:
            now = self._now()
            conversation = new_id()
            db.execute(
                "INSERT INTO conversations "
                "(id, account, backend, name, created, activity, model, system_prompt) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation,
                    account,
                    backend,
                    valid_text(name),
                    now,
                    now,
                    valid_text(model),
                    valid_text(system_prompt),
                ),
            )
            return conversation

    def _set(self, account: str, conversation: str, assignment: str, value: object) -> None:
        with self._guard() as db:
            cur = db.execute(
                f"UPDATE conversations SET {assignment} WHERE account = ? AND id = ?",
                (value, account, conversation),
            )
            if cur.rowcount == 0:
                raise NotFoundError(f"there is no conversation {conversation!r}")

    def rename(self, account: str, conversation: str, name: str) -> None:
        self._set(account, conversation, "name = ?", valid_text(name))

    def set_pinned(self, account: str, conversation: str, pinned: bool) -> None:
        """Pin (listed first; pinning again keeps its place) or unpin."""
        if pinned:
            self._set(account, conversation, "pinned_at = COALESCE(pinned_at, ?)", self._now())
        else:
            self._set(account, conversation, "pinned_at = ?", None)

    def set_model(self, account: str, conversation: str, model: str) -> None:
        self._set(account, conversation, "model = ?", valid_text(model))

    def set_system_prompt(self, account: str, conversation: str, text: str) -> None:
        self._set(account, conversation, "system_prompt = ?", valid_text(text))

    def set_current(self, account: str, conversation: str, message: str) -> None:
        """Show the branch that ends at ``message`` (another answer of a
        regenerated question, another edit of a question)."""
        with self._transaction() as db:
            seq = self._conversation_seq(account, conversation)
            found = db.execute(
                "SELECT seq FROM messages WHERE conversation = ? AND id = ?", (seq, message)
            ).fetchone()
            if found is None:
                raise NotFoundError(f"there is no message {message!r} in this conversation")
            db.execute("UPDATE conversations SET current = ? WHERE seq = ?", (found[0], seq))

    def delete(self, account: str, conversations: Sequence[str]) -> int:
        """Delete the account's conversations among ``conversations``, with
        their messages; other ids are ignored. Returns how many went."""
        ids = list(dict.fromkeys(valid_text(c) for c in conversations))
        owned: list[int] = []
        with self._transaction() as db:
            for start in range(0, len(ids), BATCH):
                batch = ids[start : start + BATCH]
                marks = ",".join("?" * len(batch))
                owned += [
                    int(r[0])
                    for r in db.execute(
                        f"SELECT seq FROM conversations WHERE account = ? AND id IN ({marks})",
                        (account, *batch),
                    )
                ]
            return self._delete_rows(db, owned)
