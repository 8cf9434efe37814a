"""``python -m ernie_tui.cli``: the ``ernie-tui`` command."""

from . import main

raise SystemExit(main())
