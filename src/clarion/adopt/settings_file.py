"""The `clarion.toml` that `clarion init` writes: the settings, commented, with
an account table for each network chosen, built from the network's registry
entry (its account type's fields), so a network added to the registry gets
its table here without a change."""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any

from clarion import networks
from clarion.adopt.options import Adoption
from clarion.adopt.templates import render
from clarion.settings import Settings

PLACEHOLDER = "CHANGE-ME"

# What an account field means, by its name, for the comment beside it.
FIELD_HELP = {
    "handle": "the account's handle, without the @",
    "service": "the account's server (its PDS)",
    "instance": "the address of the account's instance",
    "max_characters": "the instance's post length limit",
    "api": "the API's address",
    "appview": "where counts, labels and what Bluesky shows are read (no login)",
    "labelers": "DIDs of labelers clarion watch asks, besides Bluesky's moderation",
    "image_max_bytes": "the largest image the PDS takes (1000000 if older than April 2026)",
    "organization": "the page's URN, urn:li:organization: and its number",
    "version": "the LinkedIn API version to call (YYYYMM, served about a year)",
    "page": "the page's name in its address, linkedin.com/company/NAME",
    "user_id": "the account's Threads user id (GET /v1.0/me answers it)",
    "media_base_url": "where Threads fetches images; empty: the repository's raw files on "
    "GitHub (a public repository only)",
    "url": "the forum's address, e.g. https://discuss.example.org",
    "username": "the forum user Clarion posts as (its API key's user)",
    "category": "the id of the category topics go to (the number ending its address)",
    "min_topic_title_length": "the forum's, if it changed Discourse's default",
    "max_topic_title_length": "the forum's, if it changed Discourse's default",
    "min_first_post_length": "the forum's, if it changed Discourse's default",
    "max_post_length": "the forum's, if it changed Discourse's default",
}

# The advanced settings, commented out with their defaults.
_ADVANCED = {
    "git_author": "the receipts commits' author",
    "timeout": "seconds to wait for a network's answer",
    "retries": "tries per part",
    "retry_backoff": "seconds of the first pause between tries, doubling",
    "max_retry_wait": "the longest rate-limit wait worth waiting for in a run, in seconds",
}


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    # A TOML basic string takes JSON's escapes.
    return json.dumps(str(value), ensure_ascii=False)


def _float_or_int(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def account_table(network: str) -> str:
    """`[accounts.NAME]` with every field of the network's account settings:
    required ones as CHANGE-ME, the others at their defaults."""
    entry = networks.get(network)
    hints = typing.get_type_hints(entry.account_type)
    lines = [f"[accounts.{network}]   # {entry.display}"]
    for field in dataclasses.fields(entry.account_type):
        help_text = FIELD_HELP.get(field.name, "")
        if field.default is not dataclasses.MISSING:
            value: Any = field.default
        elif field.default_factory is not dataclasses.MISSING:
            value = field.default_factory()
        else:
            value = 0 if hints[field.name] in (int, float) else PLACEHOLDER
            help_text = f"required: {help_text}" if help_text else "required"
        line = f"{field.name} = {toml_value(value)}"
        lines.append(f"{line}   # {help_text}" if help_text else line)
    return "\n".join(lines)


def clarion_toml(adoption: Adoption) -> str:
    defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    advanced = "\n".join(
        f"# {name} = {toml_value(_float_or_int(defaults[name]))}   # {meaning}"
        for name, meaning in _ADVANCED.items()
    )
    return render(
        "clarion.toml",
        {
            "POSTS": adoption.posts,
            "PLATFORMS": ", ".join(toml_value(n) for n in adoption.networks),
            "ADVANCED": advanced,
            "ACCOUNTS": "\n\n".join(account_table(n) for n in adoption.networks),
        },
    )
