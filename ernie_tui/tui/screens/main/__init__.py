"""The main screen, in layers of one purpose each: ``panes.py`` (the widgets
and the core objects behind them), ``listing.py`` (the conversation list and
the open conversation), ``asking.py`` (questions and answers through the
core's ask flow), ``answers.py`` (regenerate, edit and resend, copy; the
code block picker in ``code_picker.py``), ``screen.py`` (keys, actions,
palette commands and help, all from the one table in ``keys.py``)."""

from ....core import short_name
from .screen import MainScreen

__all__ = ["MainScreen", "short_name"]
