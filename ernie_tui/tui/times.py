"""How the service's times are shown: moved from the clock they were written
in (the web service writes Beijing time, the Qianfan backend's library this
machine's) to the one the config's ``time_zone`` names, with a label that says
which.

Times travel as the web protocol writes them, ``YYYY-MM-DD HH:MM:SS`` with no
zone; :meth:`Times.convert` gives the same form in the shown zone, so the code
that shortens them for a list (the sidebar, the shares screen) stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

__all__ = ["BEIJING", "SERVICE_TIMES", "Times", "times_of", "zone_named"]

BEIJING = timezone(timedelta(hours=8), "Beijing")
"""The web service's clock."""

_FORMAT = "%Y-%m-%d %H:%M:%S"


def zone_named(name: str) -> tzinfo | None:
    """The zone a config's ``time_zone`` names: ``None`` for ``local`` (this
    machine's). Raises :class:`ValueError` for a name that is no zone."""
    if name.strip().lower() in ("", "local"):
        return None
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name.strip())
    except (LookupError, ValueError, OSError):
        raise ValueError(f"{name[:40]!r} is not a time zone") from None


@dataclass(frozen=True, slots=True)
class Times:
    """Times written in ``source`` shown in ``shown`` (``None``: this
    machine's zone), named by ``label`` (``local time``, ``Asia/Shanghai``)."""

    source: tzinfo | None = BEIJING
    shown: tzinfo | None = BEIJING
    label: str = "Beijing time"

    @classmethod
    def of(cls, time_zone: str, *, source: tzinfo | None = BEIJING) -> Times:
        """The times of a config's ``time_zone`` for stamps written in
        ``source``; a name that is no zone shows local time."""
        try:
            shown = zone_named(time_zone)
        except ValueError:
            shown = None
        label = "local time" if shown is None else time_zone.strip()
        return cls(source, shown, label)

    @property
    def short_label(self) -> str:
        """The label for a narrow place: ``local``, or the zone's city
        (``Shanghai``, ``New York``, ``UTC``)."""
        if self.shown is None:
            return "local"
        return self.label.rsplit("/", 1)[-1].replace("_", " ")

    @property
    def unchanged(self) -> bool:
        """Whether stamps are shown as written."""
        return self.source is self.shown

    def convert(self, stamp: str) -> str:
        """``stamp`` (``YYYY-MM-DD HH:MM[:SS]``) in the shown zone, in the same
        form; anything else comes back as it was."""
        if self.unchanged or len(stamp) < 16 or stamp[4] != "-" or stamp[10] != " ":
            return stamp
        try:
            moment = datetime.fromisoformat(stamp[:19])
        except ValueError:
            return stamp
        if self.source is not None:
            moment = moment.replace(tzinfo=self.source)
        # A naive moment is this machine's time to astimezone(), as ``None`` means.
        shown = moment.astimezone(self.shown)
        return shown.strftime(_FORMAT)[: len(stamp[:19])] + stamp[19:]

    def now(self) -> datetime:
        """Now in the shown zone."""
        return datetime.now(self.shown).astimezone(self.shown)

    def today(self, now: datetime) -> str:
        """``now`` (aware, or naive in the source zone) as ``YYYY-MM-DD`` in
        the shown zone: the day the sidebar calls today."""
        if now.tzinfo is None and self.source is not None:
            now = now.replace(tzinfo=self.source)
        return now.astimezone(self.shown).strftime("%Y-%m-%d")


SERVICE_TIMES = Times()
"""Times shown as the web service writes them (Beijing time)."""


def times_of(app: object) -> Times:
    """The app's :class:`Times` (``ErnieApp.times``), or :data:`SERVICE_TIMES`
    for a host app without one (tests)."""
    times = getattr(app, "times", None)
    return times if isinstance(times, Times) else SERVICE_TIMES
