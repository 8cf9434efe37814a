"""The one place a backend is made from the settings and a credential, for
the app and the command line alike: :func:`make_backend`.

- ``backend = "web"`` (the default): a :class:`~ernie_tui.backends.WebBackend`
  on the cookies (:class:`~ernie_tui.credentials.Credential`).
- ``backend = "qianfan"``: a :class:`~ernie_tui.backends.qianfan.QianfanBackend`
  on an API key (:class:`~ernie_tui.api_key.ApiKeyCredential`), its
  conversations in the local library: the one given, else the file at
  ``config.library_path``, else :func:`~ernie_tui.library.default_path`. A
  library it opened itself is closed with the backend.

How the demo passes its own library: ``--demo --backend qianfan`` seeds a
library in a temporary file (removed at exit) and sets ``library_path`` in the
config it hands the app, so the app's own ``make_backend(config, credential)``
opens that one. Nothing here is global.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from .api import Timeouts
from .api_key import AnyCredential, ApiKeyCredential
from .backends import Backend, WebBackend
from .backends.qianfan import QianfanBackend, account_of
from .config import Config, make_client
from .library import Library, default_path
from .qianfan import QianfanClient

__all__ = ["SERVICE_ZONE", "make_backend"]

SERVICE_ZONE = timezone(timedelta(hours=8))
"""Beijing time: the web service's, and so the app's, for every time shown."""


class _LibraryOwner(QianfanBackend):
    """A Qianfan backend that closes, with its client, the library
    :func:`make_backend` opened for it."""

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            self.library.close()


def make_backend(
    config: Config, credential: AnyCredential, *, library: Library | None = None
) -> Backend:
    """The backend ``config.backend`` names, signed in with ``credential``
    (cookies for ``web``, an API key for ``qianfan``; the other kind raises
    :class:`TypeError`).

    Raises :class:`~ernie_tui.library.LibraryError` when the library file
    cannot be used (damaged, written by a newer version, unreadable: its
    message says so and names the file, which is left as it is), and the
    client's :class:`~ernie_tui.api.ErnieError` for a key or an address it
    refuses before sending anything.
    """
    if config.backend != "qianfan":
        if isinstance(credential, ApiKeyCredential):
            raise TypeError("the web backend signs in with cookies, not an API key")
        return WebBackend(make_client(config, credential))
    if not isinstance(credential, ApiKeyCredential):
        raise TypeError("the qianfan backend signs in with an API key, not cookies")
    owned = library is None
    if library is None:
        # Times reach the app as the web service gives them: in Beijing time,
        # which the app's "today" is reckoned in.
        library = Library(config.library_path or default_path(), zone=SERVICE_ZONE)
    try:
        client = QianfanClient(
            credential.key,
            base_url=config.qianfan.base_url,
            appid=config.qianfan.appid,
            timeouts=Timeouts(
                connect=config.connect_timeout,
                request=config.request_timeout,
                idle=config.idle_timeout,
            ),
        )
    except BaseException:
        if owned:
            library.close()
        raise
    kind = _LibraryOwner if owned else QianfanBackend
    return kind(
        client,
        library,
        account_of(credential.key),
        model=config.qianfan.model,
        web_search=config.qianfan.web_search,
    )
