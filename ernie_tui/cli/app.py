"""Opening the full-screen app: on the demo (``--backend qianfan``: the
Qianfan demo of :mod:`.demo`), on the credential found, or on sign-in."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING

from .client import find_api_key, find_credential, load_config
from .serve import start_demo

if TYPE_CHECKING:
    from ..api_key import AnyCredential
    from ..config import Config

__all__ = ["launch", "run_app", "start_any_demo"]


def start_any_demo(config: Config) -> tuple[Config, AnyCredential]:
    """The offline demo of the configured backend: the embedded server (and,
    for qianfan, a seeded library of the demo's own); the config to run with
    and the demo's credential."""
    if config.backend == "qianfan":
        from .demo import start_qianfan_demo

        return start_qianfan_demo(config)
    from .demo import demo_library_path

    demo_url, credential = start_demo()
    return dataclasses.replace(
        config, base_url=demo_url, library_path=demo_library_path()
    ), credential


def run_app(config: Config, credential: AnyCredential | None) -> int:
    from ..tui.app import ErnieApp

    app = ErnieApp(config=config, credential=credential, demo_starter=start_any_demo)
    app.run()
    return app.return_code or 0


def launch(args: argparse.Namespace) -> int:
    """Open the app: on the demo, on the credential found, or on sign-in."""
    from ..credentials import host_of

    config = load_config(args)
    credential: AnyCredential | None
    if args.demo:
        config, credential = start_any_demo(config)
    elif config.backend == "qianfan":
        credential = find_api_key(host_of(config.qianfan.base_url))
    else:
        credential = find_credential(host_of(config.base_url))
    return run_app(config, credential)
