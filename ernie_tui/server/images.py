"""The demo bot's pictures: ``GET /demo/image/{name}``, a small SVG whose
colour follows the name, for the ``<img>`` tags of its drawing answers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["routes"]


async def demo_image(request: Request) -> Response:
    name = request.path_params["name"]
    shade = sum(name.encode()) % 360
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256">'
        f'<rect width="256" height="256" fill="hsl({shade},60%,70%)"/>'
        '<circle cx="128" cy="128" r="64" fill="white"/></svg>'
    )
    return Response(svg, media_type="image/svg+xml")


def routes() -> list[Route]:
    return [Route("/demo/image/{name}", demo_image, methods=["GET"])]
