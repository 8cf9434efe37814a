"""Reading a request the user copied from the browser with "Copy as cURL".

Browsers write the command in POSIX shell quoting (``'…'``, ``"…"``,
``$'…'`` with ANSI-C escapes, ``\\`` at line ends) or in cmd.exe quoting
(``^"…^"``, ``^`` before special characters and at line ends). Both are read
here without running anything. Errors say what is wrong with the command and
never quote it: it holds the account's cookies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["CopiedRequest", "CurlError", "parse_curl", "split_words"]


class CurlError(ValueError):
    """The text is not a copied cURL command that can be read; the message
    says why, in the user's terms, and holds nothing of the command."""


@dataclass(slots=True)
class CopiedRequest:
    """What a copied command sends: its address, headers, cookies and body."""

    url: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[tuple[str, str]] = field(default_factory=list)
    data: str | None = None

    def __repr__(self) -> str:
        return f"CopiedRequest(url={self.url!r}, headers={len(self.headers)}, cookies=***)"

    def header(self, name: str) -> str | None:
        """The last value of header ``name`` (any case), or ``None``."""
        wanted = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == wanted:
                found = value
        return found


# -- splitting into words ------------------------------------------------------------

# cmd.exe quoting: the address in ^"…^", or a ^ continuing a line.
_CMD = re.compile(r'\A\s*\S*curl(?:\.exe)?\s+\^"|\s\^\r?\n', re.IGNORECASE)
_ANSI = re.compile(
    r"\\(?:x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", re.DOTALL
)
_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}


def _ansi_c(raw: str) -> str:
    """The value of bash's ``$'…'`` with ``raw`` between the quotes."""

    def one(match: re.Match[str]) -> str:
        esc = match.group(0)[1:]
        kind = esc[0]
        if kind in _SIMPLE:
            return _SIMPLE[kind]
        if kind in "xuU" and len(esc) > 1:
            return chr(min(int(esc[1:], 16), 0x10FFFF))
        if kind.isdigit() and kind < "8":
            return chr(int(esc, 8) & 0xFF)
        if kind == "c" and len(esc) == 2:
            return chr(ord(esc[1]) & 0x1F)
        return esc  # \\ \' \" \? and unknown escapes: the character itself

    text = _ANSI.sub(one, raw)
    # \uD83D\uDE00 written as two escapes: join the halves.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _split_posix(text: str) -> list[str]:
    words: list[str] = []
    word: list[str] = []
    started = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            if started:
                words.append("".join(word))
                word, started = [], False
            i += 1
        elif ch == "\\":
            if text.startswith("\r\n", i + 1):
                i += 3
            elif i + 1 < n and text[i + 1] == "\n":
                i += 2  # a line continuation
            else:
                word.append(text[i + 1 : i + 2])
                started = True
                i += 2
        elif ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise CurlError("a quote (') in it is never closed: the copy was cut short")
            word.append(text[i + 1 : end])
            started = True
            i = end + 1
        elif ch == "$" and text.startswith("'", i + 1):
            j = i + 2
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise CurlError("a quote ($') in it is never closed: the copy was cut short")
            word.append(_ansi_c(text[i + 2 : j]))
            started = True
            i = j + 1
        elif ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n and text[j + 1] in '$`"\\\n':
                    if text[j + 1] != "\n":
                        word.append(text[j + 1])
                    j += 2
                else:
                    word.append(text[j])
                    j += 1
            if j >= n:
                raise CurlError('a quote (") in it is never closed: the copy was cut short')
            started = True
            i = j + 1
        elif ch == "#" and not started:
            end = text.find("\n", i)
            i = n if end < 0 else end
        else:
            word.append(ch)
            started = True
            i += 1
    if started:
        words.append("".join(word))
    return words


def _split_cmd(text: str) -> list[str]:
    # cmd.exe first: ^ escapes the next character (a line end: continues the
    # line, and the first character of the next one is taken as it is).
    plain: list[str] = []
    quoted = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "^" and not quoted:
            i += 1
            if text.startswith("\r\n", i):
                i += 2
            elif text.startswith("\n", i):
                i += 1
            if i < n:
                plain.append(text[i])
            i += 1
            continue
        if ch == '"':
            quoted = not quoted
        plain.append(" " if ch in "\r\n" else ch)
        i += 1
    # Then the program's own argument rules, as browsers escape for them:
    # "…" groups, \" and \\ stand for " and \.
    words: list[str] = []
    word: list[str] = []
    started = in_quote = False
    line = "".join(plain)
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n and line[i + 1] in '"\\':
            word.append(line[i + 1])
            started = True
            i += 2
        elif ch == '"':
            if in_quote and line.startswith('"', i + 1):
                word.append('"')
                i += 2
                continue
            in_quote = not in_quote
            started = True
            i += 1
        elif ch in " \t" and not in_quote:
            if started:
                words.append("".join(word))
                word, started = [], False
            i += 1
        else:
            word.append(ch)
            started = True
            i += 1
    if in_quote:
        raise CurlError('a quote (") in it is never closed: the copy was cut short')
    if started:
        words.append("".join(word))
    return words


def split_words(text: str) -> list[str]:
    """The words of a copied command, in POSIX shell or cmd.exe quoting."""
    text = text.lstrip("\ufeff")
    return _split_cmd(text) if _CMD.search(text) else _split_posix(text)


# -- reading the words ---------------------------------------------------------------

_VALUED = {
    "-H": "header",
    "--header": "header",
    "-b": "cookie",
    "--cookie": "cookie",
    "-d": "data",
    "--data": "data",
    "--data-raw": "data",
    "--data-binary": "data",
    "--data-ascii": "data",
    "--json": "data",
    "--url": "url",
}
_OTHER_VALUED = {
    "-X", "--request", "-A", "--user-agent", "-e", "--referer", "-u", "--user", "-o",
    "--output", "-x", "--proxy", "-m", "--max-time", "--connect-timeout", "-c",
    "--cookie-jar", "--data-urlencode", "-F", "--form", "--resolve", "--cacert",
}  # fmt: skip
_ATTACHED = ("-H", "-b", "-d")


def _cookie_pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for part in text.split(";"):
        name, sep, value = part.strip().partition("=")
        name = name.strip()
        if sep and name:
            pairs.append((name, value.strip()))
    return pairs


def parse_curl(text: str) -> CopiedRequest:
    """The request a copied ``curl …`` command sends; :class:`CurlError` when
    ``text`` is not one."""
    words = split_words(text)
    if not words or words[0].rsplit("/", 1)[-1].lower() not in ("curl", "curl.exe"):
        raise CurlError("it does not start with `curl`, so it is not a copied cURL command")
    request = CopiedRequest()
    data: list[str] = []
    i = 1
    while i < len(words):
        word = words[i]
        kind = _VALUED.get(word)
        value: str | None = None
        if kind is not None or word in _OTHER_VALUED:
            if i + 1 >= len(words):
                raise CurlError(f"its option {word} has no value: the copy was cut short")
            value = words[i + 1]
            i += 2
        elif word[:2] in _ATTACHED and len(word) > 2 and not word.startswith("--"):
            kind, value = _VALUED[word[:2]], word[2:]
            i += 1
        else:
            if not word.startswith("-") and not request.url:
                request.url = word
            i += 1
            continue
        if kind == "header" and value is not None:
            name, sep, header_value = value.partition(":")
            if sep:
                name, header_value = name.strip(), header_value.strip()
                if name.lower() == "cookie":
                    request.cookies.extend(_cookie_pairs(header_value))
                else:
                    request.headers.append((name, header_value))
        elif kind == "cookie" and value is not None:
            if "=" not in value:
                raise CurlError("its -b option names a cookie file instead of holding the cookies")
            request.cookies.extend(_cookie_pairs(value))
        elif kind == "data" and value is not None:
            data.append(value)
        elif kind == "url" and value is not None:
            request.url = value
    if data:
        request.data = "&".join(data)
    return request
