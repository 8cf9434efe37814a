"""The credential: the pair of Baidu cookies ``BAIDUID`` and ``BDUSS_BFESS``,
and reading it from what the user pastes (:func:`parse_cookie_text`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .api import Secret

__all__ = ["Credential", "parse_cookie_text"]


@dataclass(frozen=True)
class Credential:
    """The two cookies of a signed-in Baidu account, and where they came from
    (``environment``, ``keyring``, ``session`` for this run only, or ``demo``)."""

    baiduid: Secret
    bduss_bfess: Secret
    source: str = "session"

    @property
    def masked(self) -> str:
        """The account as the status line shows it."""
        return self.bduss_bfess.masked


# -- parsing what the user pastes ------------------------------------------------

_VALUE_OK = re.compile(r"^[\x21-\x7e]+$")
_NAMES = {"BAIDUID": "baiduid", "BDUSS_BFESS": "bduss_bfess", "BDUSS": "bduss"}

_HOW = (
    "Copy them from your browser while signed in at yiyan.baidu.com (developer tools → "
    "Application/Storage → Cookies), and paste either the request's Cookie header or "
    "'BAIDUID=…; BDUSS_BFESS=…'."
)


def _strip_value(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value


def _check(name: str, value: str) -> Secret:
    if not value:
        raise ValueError(f"The {name} cookie is empty. {_HOW}")
    if not _VALUE_OK.match(value) or ";" in value or "," in value:
        raise ValueError(
            f"The {name} cookie holds spaces, commas, semicolons or control characters, so it "
            f"is not a cookie value (its {len(value)} characters are not shown). {_HOW}"
        )
    if len(value) < 8:
        raise ValueError(f"The {name} cookie is too short to be real ({len(value)} characters).")
    return Secret(value)


def parse_cookie_text(text: str) -> Credential:
    """The credential in what the user pasted: a ``Cookie: a=b; …`` header (other
    cookies are ignored), ``BAIDUID=…; BDUSS_BFESS=…``, one ``NAME=value`` or
    ``NAME<TAB>value`` (a row copied from a browser's cookie table) per line, or
    two bare lines (BAIDUID first, then BDUSS_BFESS). A lone ``BDUSS`` stands in
    for ``BDUSS_BFESS`` (the browser gives both the same value).

    Raises :class:`ValueError` with a user-facing message that never echoes a
    value.
    """
    found: dict[str, str] = {}
    bare: list[str] = []
    for raw_line in text.replace("\r", "\n").split("\n"):
        line = raw_line.strip()
        if not line:
            continue
        # curl -H 'Cookie: …' pastes, and the header name itself.
        line = line.removeprefix("-H").strip().strip("'\"").strip()
        if line.lower().startswith("cookie:"):
            line = line[len("cookie:") :].strip()
        if "\t" in line and "=" not in line.split("\t", 1)[0]:
            name, _, rest = line.partition("\t")
            name = name.strip()
            if name in _NAMES:
                found.setdefault(name, rest.split("\t", 1)[0])
            continue
        matched = False
        for part in line.split(";"):
            name, sep, value = part.partition("=")
            name = name.strip()
            if sep and name in _NAMES:
                found.setdefault(name, value)
                matched = True
        if not matched and ";" not in line and " " not in line:
            bare.append(line)
    if not found and len(bare) == 2:
        found = {"BAIDUID": bare[0], "BDUSS_BFESS": bare[1]}
    if "BDUSS_BFESS" not in found and "BDUSS" in found:
        found["BDUSS_BFESS"] = found["BDUSS"]
    missing = [n for n in ("BAIDUID", "BDUSS_BFESS") if n not in found]
    if missing:
        if not text.strip():
            raise ValueError(f"Nothing was pasted. {_HOW}")
        raise ValueError(f"No {' and no '.join(missing)} cookie in what was pasted. {_HOW}")
    baiduid = _check("BAIDUID", _strip_value(found["BAIDUID"]))
    bduss = _check("BDUSS_BFESS", _strip_value(found["BDUSS_BFESS"]))
    return Credential(baiduid, bduss, "session")
