"""The three stand-ins together: what `clarion publish --sandbox` runs against."""

from __future__ import annotations

import dataclasses

from clarion.sandbox.bluesky import BlueskyStandIn
from clarion.sandbox.mastodon import MastodonStandIn
from clarion.sandbox.x import XStandIn
from clarion.settings import Settings


class Sandbox:
    """Bluesky, Mastodon and X stand-ins on 127.0.0.1, started and stopped together."""

    def __init__(self, latency: float = 0.0) -> None:
        # Handles the example posts mention resolve, as they would on the network.
        self.bluesky = BlueskyStandIn(latency=latency, other_handles=("atproto.com",))
        # Mastodon processes still images as they are uploaded (200, not 202).
        self.mastodon = MastodonStandIn(latency=latency, media_processing_polls=0)
        self.x = XStandIn(latency)
        self.env: dict[str, str] = {}

    def __enter__(self) -> Sandbox:
        for stand_in in (self.bluesky, self.mastodon, self.x):
            stand_in.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for stand_in in (self.bluesky, self.mastodon, self.x):
            stand_in.stop()

    def settings(self, settings: Settings) -> Settings:
        """The repository's settings with every account pointing at a stand-in."""
        bluesky, bluesky_env = self.bluesky.sandbox_settings()
        mastodon, mastodon_env = self.mastodon.sandbox_settings()
        x, x_env = self.x.sandbox_settings()
        self.env = {**bluesky_env, **mastodon_env, **x_env}
        tables = {**settings.account_tables, "bluesky": bluesky, "mastodon": mastodon, "x": x}
        return dataclasses.replace(settings, account_tables=tables)

    def describe(self) -> str:
        sections = [
            ("Bluesky", self.bluesky.describe()),
            ("Mastodon", self.mastodon.describe()),
            ("X", self.x.describe()),
        ]
        return "\n\n".join(f"== {name} received ==\n{text}" for name, text in sections)
