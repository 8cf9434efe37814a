"""``ernie_tui.api.__all__`` lists exactly its public names (httpx style)."""

from __future__ import annotations

import ernie_tui.api as api
import ernie_tui.server as server


def test_api_all_is_exactly_the_public_names() -> None:
    public = {name for name in dir(api) if not name.startswith("_")}
    # Submodules are implementation, not API.
    public = {name for name in public if not isinstance(getattr(api, name), type(api))}
    assert set(api.__all__) == public
    assert len(api.__all__) == len(set(api.__all__))


def test_every_exported_name_belongs_to_the_package() -> None:
    for name in api.__all__:
        member = getattr(api, name)
        module = getattr(member, "__module__", "ernie_tui.api")
        assert module.startswith("ernie_tui.api"), name


def test_server_all_is_exactly_the_public_names() -> None:
    public = {n for n in dir(server) if not n.startswith("_")}
    public = {n for n in public if not isinstance(getattr(server, n), type(server))}
    assert set(server.__all__) == public


def test_the_exception_tree() -> None:
    assert issubclass(api.NotSignedInError, api.ServiceError)
    assert issubclass(api.AccessRestrictedError, api.ServiceError)
    assert issubclass(api.ServerTimeoutError, api.NetworkError)
    assert issubclass(api.ReplyTooLargeError, api.ProtocolError)
    for name in ("ServiceError", "NetworkError", "ProtocolError", "IncompleteAnswerError"):
        assert issubclass(getattr(api, name), api.ErnieError)
    error = api.IncompleteAnswerError("cut", partial="so far")
    assert (error.message, error.partial) == ("cut", "so far")
