"""The Textual app: imports ``ernie_tui.api``, ``credentials`` and ``config``;
never ``ernie_tui.server``."""
