"""The JSON Schema of `[tool.clarion]`, built from the settings and the network registry.

Every key is known: a misspelt one (`require_aproval = false`) is an error
naming the nearest known key, never silently ignored. Each network's account
table comes from its registry entry's account type, so a new network's
settings are checked without touching this module. `schema/settings.schema.json`
holds the same schema for editors (a test keeps the two equal).
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Mapping
from typing import Any

from clarion import networks
from clarion.errors import ConfigError

SCHEMA_ID = "https://clarion.dev/schema/settings.schema.json"

_TOP: dict[str, Any] = {
    "posts": {"type": "string", "description": "the folder of the posts"},
    "platforms": {
        "type": "array",
        "items": {"type": "string"},
        "description": "where a post with no `platforms` goes",
    },
    "timezone": {"type": "string", "description": "shown beside UTC in previews"},
    "require_approval": {
        "type": "boolean",
        "description": "publish only what a code owner approved in a merged pull request",
    },
    "git_author": {"type": "string", "description": "the receipts commits' author, Name <email>"},
    "timeout": {"type": "number", "exclusiveMinimum": 0},
    "retries": {"type": "integer", "minimum": 1},
    "retry_backoff": {"type": "number", "minimum": 0},
    "max_retry_wait": {"type": "number", "minimum": 0},
    "site": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "title": {"type": "string"},
            "url": {"type": "string"},
            "templates": {
                "type": "string",
                "description": "a folder of templates replacing the archive site's own "
                "(base.html, post.html, ...), relative to the repository",
            },
            "former_instances": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Mastodon instances of accounts left (clarion sunset) or "
                "moved from, whose receipts the archive site still links",
            },
            "former_forums": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Discourse forums of accounts left (clarion sunset) or "
                "moved from, whose topics the archive site still links",
            },
        },
    },
}

_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _field_schema(annotation: Any) -> dict[str, Any]:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _field_schema(args[0])
    if typing.get_origin(annotation) in (list, tuple):
        return {"type": "array", "items": {"type": "string"}}
    kind = _JSON_TYPES.get(annotation)
    if kind == "number":
        return {"type": ["number", "integer"]}
    return {"type": kind} if kind else {}


def _account_schema(account_type: type) -> dict[str, Any]:
    hints = typing.get_type_hints(account_type)
    fields = dataclasses.fields(account_type)
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {f.name: _field_schema(hints[f.name]) for f in fields},
        "required": [
            f.name
            for f in fields
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ],
    }


def settings_schema() -> dict[str, Any]:
    """The schema of `[tool.clarion]` for the networks registered now."""
    accounts = {
        entry.name: _account_schema(entry.account_type) for entry in networks.all_networks()
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Clarion settings ([tool.clarion] in pyproject.toml, or clarion.toml)",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            **_TOP,
            "platforms": {
                **_TOP["platforms"],
                "items": {"enum": list(networks.names())},
            },
            "accounts": {
                "type": "object",
                "additionalProperties": False,
                "properties": accounts,
            },
        },
    }


def check(conf: Mapping[str, Any], where: str) -> None:
    """Raise ConfigError naming every problem of `conf`, with the nearest known key."""
    import jsonschema_rs

    schema = settings_schema()
    if jsonschema_rs.Draft202012Validator(schema).is_valid(dict(conf)):
        return  # the common case, without importing jsonschema (slow to import)
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(dict(conf)), key=lambda e: list(e.path)):
        table = ".".join(["tool.clarion", *(str(p) for p in error.path)])
        if error.validator == "additionalProperties":
            known = sorted(error.schema.get("properties", {}))
            extra = sorted(set(error.instance) - set(known))
            for key in extra:
                problems.append(f"[{table}] {_unknown(key, known, table)}")
        elif error.validator == "enum" and list(error.path)[:1] == ["platforms"]:
            problems.append(f"[tool.clarion] platforms: {unknown_network(str(error.instance))}")
        else:
            problems.append(f"[{table}]: {error.message}")
    if problems:
        raise ConfigError(f"{where}:\n" + "\n".join(f"  - {p}" for p in problems))


def _unknown(key: str, known: list[str], table: str) -> str:
    if table == "tool.clarion.accounts":
        return f"has an unknown network: {unknown_network(key)}"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f": did you mean {close[0]}?" if close else ""
    return f"has an unknown key {key}{hint} (known: {', '.join(known)})"


def unknown_network(name: str) -> str:
    """Why `name` is not a network, with the nearest known one."""
    known = ", ".join(networks.names())
    guess = networks.suggest(str(name))
    if guess == "x" and str(name).strip().lower() == "twitter":
        return f"no network is called twitter: X was formerly Twitter, write x (known: {known})"
    if guess:
        return f"no network is called {name}: did you mean {guess}? (known: {known})"
    return f"no network is called {name} (known: {known})"
