"""schema/post.schema.json, the one definition of the post format, and its errors
in words a contributor understands."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

_PACKAGED = Path(__file__).parents[1] / "_schema" / "post.schema.json"
_SOURCE = Path(__file__).parents[3] / "schema" / "post.schema.json"


def schema_path() -> Path:
    """The wheel ships the schema inside the package; a checkout reads schema/."""
    return _PACKAGED if _PACKAGED.is_file() else _SOURCE


def load_schema() -> dict[str, Any]:
    """The post schema for the networks registered now."""
    from clarion import networks

    return _load_schema(networks.names())


@cache
def _load_schema(_names: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return with_networks(data)


def with_networks(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the registry's networks: the platform names, each network's own
    table in a post (`body` and its entry's options) and its receipts."""
    from clarion import networks

    data["$defs"]["network"] = {"enum": list(networks.names())}
    receipts = data["properties"]["published"]["properties"]
    for entry in networks.all_networks():
        if entry.options:
            data["properties"][entry.name] = {
                "type": "object",
                "additionalProperties": False,
                "properties": {"body": {"$ref": "#/$defs/body"}, **entry.options},
            }
        else:
            data["properties"][entry.name] = {"$ref": "#/$defs/override"}
        receipts[entry.name] = {"$ref": "#/$defs/receipts"}
    return data


def validator() -> Validator:
    from clarion import networks

    return _validator(networks.names())


@cache
def _validator(_names: tuple[str, ...]) -> Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema())


def _fast_check() -> Callable[[Any], bool]:
    from clarion import networks

    return _fast_check_for(networks.names())


@cache
def _fast_check_for(_names: tuple[str, ...]) -> Callable[[Any], bool]:
    """The same schema compiled by jsonschema-rs: a yes/no answer a hundred times
    faster than jsonschema's. Only a post it rejects is explained by jsonschema,
    whose errors carry the paths and words the messages need."""
    import jsonschema_rs

    compiled = jsonschema_rs.Draft202012Validator(load_schema(), validate_formats=False)
    return compiled.is_valid


@dataclass(frozen=True)
class SchemaProblem:
    pointer: tuple[str | int, ...]  # where in the front matter
    code: str
    message: str


_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "keys and values",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
}


def _where(pointer: tuple[str | int, ...]) -> str:
    text = ""
    for item in pointer:
        text += f"[{item}]" if isinstance(item, int) else (f".{item}" if text else str(item))
    return text or "the front matter"


def _known_keys(schema: Any) -> list[str]:
    if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
        return sorted(schema["properties"])
    return []


def explain(error: ValidationError) -> SchemaProblem:
    pointer = tuple(error.absolute_path)
    where = _where(pointer)
    kind = error.validator
    # jsonschema types these as "maybe unset"; an error from iter_errors has them all.
    value: Any = error.validator_value
    instance: Any = error.instance
    schema: Any = error.schema
    if kind == "additionalProperties":
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        key = extra[0] if extra else "?"
        known = ", ".join(_known_keys(schema))
        inside = f" in {where}" if pointer else ""
        return SchemaProblem(
            (*pointer, key),
            "unknown-key",
            f"unknown key '{key}'{inside}: check its spelling (known keys: {known})",
        )
    if kind == "required":
        missing = next((k for k in value if k not in instance), value[0])
        return SchemaProblem(
            pointer, "missing-key", f"{where} needs '{missing}'" + _missing_hint(missing)
        )
    if kind == "type":
        wanted = value if isinstance(value, str) else value[0]
        hint = ' (put quotes around it: "...")' if wanted == "string" else ""
        return SchemaProblem(
            pointer,
            "wrong-type",
            f"{where} must be {_TYPE_WORDS.get(wanted, wanted)}, not {_describe(instance)}{hint}",
        )
    if kind == "enum":
        choices = ", ".join(str(v) for v in value)
        if pointer[:1] == ("platforms",):
            from clarion.settings_schema import unknown_network

            return SchemaProblem(
                pointer, "unknown-platform", f"{where}: {unknown_network(str(instance))}"
            )
        return SchemaProblem(
            pointer, "not-allowed", f"{where} is '{instance}'; it must be one of: {choices}"
        )
    if kind == "const":
        return SchemaProblem(pointer, "not-allowed", f"{where} must be '{value}'")
    if kind == "minLength":
        if pointer and pointer[-1] == "alt":
            return SchemaProblem(
                pointer,
                "alt-missing",
                f"{where} is empty: describe the image for people who cannot see it",
            )
        return SchemaProblem(
            pointer, "empty-value", f"{where} is empty: give it a value or remove it"
        )
    if kind == "maxItems":
        noun = "images" if pointer[:1] == ("media",) else "items"
        return SchemaProblem(
            pointer,
            "too-many-media" if noun == "images" else "too-many-items",
            f"{where} has {len(instance)} {noun}; at most {value} are allowed",
        )
    if kind == "minItems":
        return SchemaProblem(pointer, "empty-list", f"{where} is empty: list at least {value}")
    if kind == "uniqueItems":
        return SchemaProblem(pointer, "duplicate-items", f"{where} lists something twice")
    if kind == "pattern":
        return SchemaProblem(
            pointer, "bad-format", f"{where} '{instance}' is not {_pattern_hint(pointer)}"
        )
    if kind == "oneOf" and "published" in pointer[:1]:
        return SchemaProblem(
            pointer,
            "receipt-invalid",
            f"{where} must be a receipt {{id, url, at}} or {{outcome: unknown, at}}",
        )
    if kind == "maxLength":
        return SchemaProblem(pointer, "too-long", f"{where} is longer than {value} characters")
    return SchemaProblem(pointer, "schema", f"{where}: {error.message}")


def _missing_hint(key: str) -> str:
    if key == "alt":
        return ": describe the image for people who cannot see it (alt text)"
    return ""


def _pattern_hint(pointer: tuple[str | int, ...]) -> str:
    last = pointer[-1] if pointer else ""
    if last == "lang":
        return "a BCP 47 language tag such as en, de or pt-BR"
    if last in ("url",):
        return "a URL starting with https://"
    if last in ("path", "thumbnail"):
        return "a path relative to the post file (no leading /)"
    if last == "at":
        return "a UTC time such as 2026-12-01T15:00:04Z"
    return "in the expected format"


def _describe(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "keys and values"
    return f"'{value}'"


def problems(data: dict[str, Any]) -> Iterator[SchemaProblem]:
    if _fast_check()(data):
        return
    check = validator()
    for error in sorted(check.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        yield explain(error)
