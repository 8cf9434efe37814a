"""The main screen, in layers of one purpose each: ``panes.py`` (the widgets
and the core objects behind them), ``listing.py`` (the conversation list and
the open conversation), ``asking.py`` (questions and answers through the
core's ask flow), ``screen.py`` (keys, actions and palette commands; the keys
themselves in ``keys.py``)."""

from ....core import short_name
from .screen import MainScreen

__all__ = ["MainScreen", "short_name"]
