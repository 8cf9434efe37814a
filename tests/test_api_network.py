"""The network under the clients (``api/_net.py``): asyncio's streams under
httpx, over real sockets.

- An answer streams over TLS, as it does from the real services: through a
  TLS front to the embedded server, with a certificate made for the test.
  A certificate the client does not trust is refused, and the user is told
  it was the certificate.
- A kept-alive connection the server closed while it was idle is not used
  again: the next request opens another and succeeds.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import Account

from ernie_tui.api import ErnieClient, NetworkError, Timeouts
from ernie_tui.api._net import asyncio_transport
from ernie_tui.server import Fault, ServerThread
from ernie_tui.server.bot import long_answer


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A self-signed certificate for ``localhost`` and its key, made here."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: no certificate to serve TLS with")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    yield cert, key


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


@pytest.fixture
async def tls_front(server: ServerThread, certificate: tuple[Path, Path]) -> AsyncIterator[str]:
    """``https://localhost:PORT``: TLS ended here, the bytes passed on to the
    embedded server."""
    target = urlsplit(server.base_url)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)

    pipes: list[asyncio.Future[list[None]]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            target.hostname, target.port
        )
        pipes.append(asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer)))
        await pipes[-1]

    front = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    port = front.sockets[0].getsockname()[1]
    async with front:
        yield f"https://localhost:{port}"
        for pipe in pipes:
            pipe.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)


def _trusting(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


async def test_an_answer_streams_over_tls(
    server: ServerThread, account: Account, tls_front: str, certificate: tuple[Path, Path]
) -> None:
    server.state.faults.add(Fault(kind="long", increments=300))
    async with ErnieClient(
        account.baiduid,
        account.bduss,
        base_url=tls_front,
        timeouts=Timeouts(connect=5, request=10, idle=10),
        transport=asyncio_transport(_trusting(certificate[0])),
    ) as client:
        pieces = []
        async with client.ask_stream("over TLS, please") as stream:
            async for piece in stream:
                pieces.append(piece.text)
        assert len(pieces) > 100
        assert "".join(pieces) == "".join(long_answer(300))
        # The connection is kept and used again.
        assert (await client.list_conversations()).all()


async def test_a_certificate_the_client_does_not_trust_is_refused(
    account: Account, tls_front: str
) -> None:
    async with ErnieClient(
        account.baiduid,
        account.bduss,
        base_url=tls_front,
        timeouts=Timeouts(connect=5, request=10, idle=10),
        transport=asyncio_transport(ssl.create_default_context()),
    ) as client:
        with pytest.raises(NetworkError) as caught:
            await client.list_conversations()
    message = str(caught.value)
    assert message.startswith("Cannot reach localhost:")
    assert "certificate is not trusted (self-signed certificate)" in message


async def test_a_connection_the_server_closed_while_idle_is_not_used_again() -> None:
    served: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        served.append(len(served) + 1)
        body = f"answer {len(served)}".encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()  # kept alive by the client, closed by the server

    front = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = front.sockets[0].getsockname()[1]
    async with (
        front,
        httpx.AsyncClient(transport=asyncio_transport(ssl.create_default_context())) as http,
    ):
        first = await http.get(f"http://127.0.0.1:{port}/")
        await asyncio.sleep(0.3)
        second = await http.get(f"http://127.0.0.1:{port}/")
    assert (first.text, second.text) == ("answer 1", "answer 2")
