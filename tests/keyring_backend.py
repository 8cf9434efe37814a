"""Keyring backends for tests: never the machine's real keyring.

- :class:`MemoryKeyring` keeps items in a dict. When ``ERNIE_TUI_TEST_KEYRING``
  names a path (inside pytest's temporary directory), the dict is mirrored
  there so that subprocesses (``ernie-tui login`` then ``status``) share it;
  the tests read that mirror to check what was stored. Select it in a
  subprocess with ``PYTHON_KEYRING_BACKEND=keyring_backend.MemoryKeyring`` and
  this directory on ``PYTHONPATH``.
- :class:`HangingKeyring` never answers (a locked keyring waiting for a prompt).
- :class:`ForgetfulKeyring` accepts a write and keeps nothing.
- :class:`RefusingKeyring` raises ``KeyringError`` on every write.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

ENV_STATE = "ERNIE_TUI_TEST_KEYRING"


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.calls: list[str] = []
        self._mirror = os.environ.get(ENV_STATE)
        if self._mirror and Path(self._mirror).exists():
            for entry in json.loads(Path(self._mirror).read_text()):
                self.items[(entry[0], entry[1])] = entry[2]

    def _save(self) -> None:
        if self._mirror:
            data = [[s, u, p] for (s, u), p in self.items.items()]
            Path(self._mirror).write_text(json.dumps(data))

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append("get")
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        self.items[(service, username)] = password
        self._save()

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append("delete")
        if (service, username) not in self.items:
            raise PasswordDeleteError("not found")
        del self.items[(service, username)]
        self._save()


class HangingKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(60)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(60)

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait(60)


class ForgetfulKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")


class RefusingKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        raise KeyringError("the collection is locked")
