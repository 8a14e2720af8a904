"""Every network's stand-in together: what `clarion publish --sandbox` runs against.

The registry names each network's stand-in class; each builds itself for the
sandbox with `for_sandbox(account, latency=..., root=...)` from the repository's
own account settings (its handle, its limits), so receipts and what the stand-ins
received read as they will on the network, at addresses on 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

from clarion import networks
from clarion.sandbox.server import StandIn
from clarion.settings import Settings


class Sandbox:
    """A stand-in of every registered network on 127.0.0.1, started and stopped together."""

    def __init__(self, latency: float = 0.0, settings: Settings | None = None) -> None:
        root: Path | None = settings.root if settings is not None else None
        self.stand_ins: dict[str, Any] = {}
        for network in networks.all_networks():
            account = settings.account(network.name) if settings is not None else None
            make = network.standin_class().for_sandbox
            self.stand_ins[network.name] = make(account, latency=latency, root=root)
        self.env: dict[str, str] = {}

    def get(self, name: str) -> Any:
        """The stand-in of network `name`."""
        return self.stand_ins[name]

    def __getattr__(self, name: str) -> Any:  # box.bluesky, box.x …
        stand_ins = self.__dict__.get("stand_ins", {})
        if name in stand_ins:
            return stand_ins[name]
        raise AttributeError(name)

    def __enter__(self) -> Sandbox:
        started: list[StandIn] = []
        try:
            for stand_in in self.stand_ins.values():
                stand_in.start()
                started.append(stand_in)
        except BaseException:
            for stand_in in started:
                stand_in.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        # Side by side: each waits for its server's loop to notice the shutdown.
        stopping = [
            threading.Thread(target=stand_in.stop, name=f"stop-{name}")
            for name, stand_in in self.stand_ins.items()
        ]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()

    def accounts(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Each network's account settings pointing at its stand-in, and the
        environment holding the credentials the stand-ins accept."""
        tables: dict[str, Any] = {}
        env: dict[str, str] = {}
        for name, stand_in in self.stand_ins.items():
            account, secrets = stand_in.sandbox_settings()
            tables[name] = account
            env.update(secrets)
        return tables, env

    def settings(self, settings: Settings) -> Settings:
        """The repository's settings with every account pointing at a stand-in."""
        tables, self.env = self.accounts()
        return dataclasses.replace(settings, account_tables={**settings.account_tables, **tables})

    def describe(self) -> str:
        sections = [
            (networks.display(name), stand_in.describe())
            for name, stand_in in self.stand_ins.items()
        ]
        return "\n\n".join(f"== {name} received ==\n{text}" for name, text in sections)
