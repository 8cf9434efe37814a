"""The embedded ERNIE Bot server: the same protocol on loopback, with a demo
bot, SQLite storage and fault injection. No Textual."""

from .app import CONTROL_PREFIX, MAX_BODY, ServerState, create_app
from .demo import DEMO_BAIDUID, DEMO_BDUSS, seed_demo
from .faults import Fault, FaultQueue
from .runner import AppThread, ServerThread, is_loopback, listen, serve_forever
from .storage import StorageError, Store

__all__ = [
    "CONTROL_PREFIX",
    "DEMO_BAIDUID",
    "DEMO_BDUSS",
    "MAX_BODY",
    "AppThread",
    "Fault",
    "FaultQueue",
    "ServerState",
    "ServerThread",
    "StorageError",
    "Store",
    "create_app",
    "is_loopback",
    "listen",
    "seed_demo",
    "serve_forever",
]
