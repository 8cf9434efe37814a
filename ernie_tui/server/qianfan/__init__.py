"""The embedded server's ``/v2``: Baidu's Qianfan V2 API (chat completions and
the model list) on the same loopback server, answered by the demo bot."""

from __future__ import annotations

from .chat import CHAT_PATH, MODELS_PATH, routes

__all__ = ["CHAT_PATH", "MODELS_PATH", "routes"]
