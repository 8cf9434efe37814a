"""Opening the full-screen app: on the demo, on the credential found, or on
sign-in."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING

from .client import find_credential, load_config
from .serve import start_demo

if TYPE_CHECKING:
    from ..config import Config
    from ..credentials import Credential

__all__ = ["launch", "run_app"]


def run_app(config: Config, credential: Credential | None) -> int:
    from ..tui.app import ErnieApp

    app = ErnieApp(config=config, credential=credential, demo_starter=start_demo)
    app.run()
    return app.return_code or 0


def launch(args: argparse.Namespace) -> int:
    """Open the app: on the demo, on the credential found, or on sign-in."""
    from ..credentials import host_of

    config = load_config(args)
    credential: Credential | None
    if args.demo:
        demo_url, credential = start_demo()
        config = dataclasses.replace(config, base_url=demo_url)
    else:
        credential = find_credential(host_of(config.base_url))
    return run_app(config, credential)
