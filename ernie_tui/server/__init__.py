"""The embedded ERNIE Bot server: the same protocol on loopback, with a demo
bot, SQLite storage and fault injection. No Textual."""

from .app import CONTROL_PREFIX, ServerState, create_app
from .demo import DEMO_BAIDUID, DEMO_BDUSS, seed_demo
from .faults import Fault, FaultQueue
from .runner import AppThread, ServerThread, serve_forever
from .storage import Store

__all__ = [
    "CONTROL_PREFIX",
    "DEMO_BAIDUID",
    "DEMO_BDUSS",
    "AppThread",
    "Fault",
    "FaultQueue",
    "ServerState",
    "ServerThread",
    "Store",
    "create_app",
    "seed_demo",
    "serve_forever",
]
