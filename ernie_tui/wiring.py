"""The one place a backend is made from the settings and a credential, for
the app and the command line alike: :func:`make_backend`.

- ``backend = "web"`` (the default): a :class:`~ernie_tui.backends.WebBackend`
  on the cookies (:class:`~ernie_tui.credentials.Credential`), caching the
  account's conversations in the same library file as Qianfan's, under the
  account :func:`~ernie_tui.backends.web.web_account_of` (a digest of the
  host and the BDUSS cookie: nothing of the cookies is stored). A library that
  cannot be opened leaves the web backend a fresh cache in memory for the
  run (the file is left as it is), its ``cache_problem`` saying why.
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
from typing import TYPE_CHECKING

from .api import Conversations, host_shown
from .api_key import AnyCredential, ApiKeyCredential
from .backends import Backend, WebBackend
from .backends.accounts import qianfan_account_of, web_account_of
from .backends.web_cache import WebCache
from .config import Config, make_client
from .library import Library, LibraryError, default_path

if TYPE_CHECKING:
    from .api import ErnieClient
    from .backends.qianfan import QianfanBackend
    from .cookies import Credential

__all__ = ["SERVICE_ZONE", "kept_list", "make_backend"]

SERVICE_ZONE = timezone(timedelta(hours=8))
"""Beijing time: the web service's, and so the app's, for every time shown."""


class _WebLibraryOwner(WebBackend):
    """A web backend that closes, with its client, the library
    :func:`make_backend` opened for its cache."""

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            if self.cache is not None:
                self.cache.library.close()


def _web_backend(
    config: Config, credential: Credential, library: Library | None, client: ErnieClient | None
) -> WebBackend:
    client = client if client is not None else make_client(config, credential)
    account = web_account_of(client.host, credential.bduss_bfess)
    if library is not None:
        return WebBackend(client, library, account)
    try:
        library = Library(config.library_path or default_path(), zone=SERVICE_ZONE)
    except LibraryError as exc:
        # A fresh cache in memory: search and the histories opened work for
        # this run; the file (and any Qianfan conversations in it) is left
        # exactly as it is.
        backend = _WebLibraryOwner(client, Library(None, zone=SERVICE_ZONE), account)
        backend.cache_problem = (
            f"Conversations are kept for this run only (nothing offline after a restart): {exc}"
        )
        return backend
    return _WebLibraryOwner(client, library, account)


def kept_list(config: Config, credential: AnyCredential) -> Conversations | None:
    """The account's list as this machine keeps it (the web backend's cache,
    the Qianfan backend's own conversations), read without the network and
    without a client (nothing of ``httpx`` is imported): what the app's first
    screen shows. ``None`` when nothing is kept, the credential is not the
    backend's kind, or the library cannot be read (the backend made later
    says why)."""
    path = config.library_path or default_path()
    if not path.exists():
        return None
    qianfan = config.backend == "qianfan"
    if qianfan != isinstance(credential, ApiKeyCredential):
        return None
    try:
        library = Library(path, zone=SERVICE_ZONE)
    except LibraryError:
        return None
    try:
        if isinstance(credential, ApiKeyCredential):
            return library.list_conversations(qianfan_account_of(credential.key))
        account = web_account_of(host_shown(config.base_url), credential.bduss_bfess)
        return WebCache(library, account).conversations()
    finally:
        library.close()


def make_backend(
    config: Config,
    credential: AnyCredential,
    *,
    library: Library | None = None,
    client: ErnieClient | None = None,
) -> Backend:
    """The backend ``config.backend`` names, signed in with ``credential``
    (cookies for ``web``, an API key for ``qianfan``; the other kind raises
    :class:`TypeError`).

    Raises :class:`~ernie_tui.library.LibraryError` when the library file
    cannot be used (damaged, written by a newer version, unreadable: its
    message says so and names the file, which is left as it is), and the
    client's :class:`~ernie_tui.api.ErnieError` for a key or an address it
    refuses before sending anything. The web backend never raises for its
    library: without one it has no cache and says why in ``cache_problem``.
    ``client``: the web backend's client, when the caller made it.
    """
    if config.backend != "qianfan":
        if isinstance(credential, ApiKeyCredential):
            raise TypeError("the web backend signs in with cookies, not an API key")
        return _web_backend(config, credential, library, client)
    if not isinstance(credential, ApiKeyCredential):
        raise TypeError("the qianfan backend signs in with an API key, not cookies")
    return _qianfan_backend(config, credential, library)


def _qianfan_backend(
    config: Config, credential: ApiKeyCredential, library: Library | None
) -> QianfanBackend:
    # Imported here: the web backend's start-up (the list fetched early, in a
    # thread of its own) loads nothing of Qianfan's.
    from .api import Timeouts
    from .backends.qianfan import QianfanBackend, account_of
    from .qianfan import QianfanClient

    class _LibraryOwner(QianfanBackend):
        """A Qianfan backend that closes, with its client, the library
        :func:`make_backend` opened for it."""

        async def aclose(self) -> None:
            try:
                await super().aclose()
            finally:
                self.library.close()

    owned = library is None
    if library is None:
        # Times reach the app as the web service gives them: in Beijing time,
        # which the app's "today" is reckoned in.
        library = Library(config.library_path or default_path(), zone=SERVICE_ZONE)
    try:
        qianfan = QianfanClient(
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
        qianfan,
        library,
        account_of(credential.key),
        model=config.qianfan.model,
        web_search=config.qianfan.web_search,
    )
