"""Git's housekeeping, off for every git the tests start.

After each commit, fetch or push git starts another git (`maintenance run
--auto`, `gc --auto`) that counts loose objects and, in repositories as small
as the tests', decides there is nothing to do: about 4 ms of CPU, thousands of
times a run. The settings go through the environment (`GIT_CONFIG_COUNT`),
which Clarion's own git runs keep, after any entries already there."""

from __future__ import annotations

from collections.abc import Mapping

SETTINGS = {"gc.auto": "0", "maintenance.auto": "false", "receive.autogc": "false"}


def config_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables that add `SETTINGS` to the git configuration `environ` gives."""
    try:
        count = int(environ.get("GIT_CONFIG_COUNT") or 0)
    except ValueError:
        count = 0
    entries = {"GIT_CONFIG_COUNT": str(count + len(SETTINGS))}
    for index, (key, value) in enumerate(SETTINGS.items(), start=count):
        entries[f"GIT_CONFIG_KEY_{index}"] = key
        entries[f"GIT_CONFIG_VALUE_{index}"] = value
    return entries
