"""A Graph API request's parameters: the query string, and for a POST the form body
(urlencoded or multipart, as `curl -F` sends it) or JSON; the last value of a name wins."""

from __future__ import annotations

import contextlib
from typing import Any

from clarion.sandbox.server import Request


def params(request: Request) -> dict[str, str]:
    values = {name: found[-1] for name, found in request.query.items() if found}
    if request.method != "POST" or not request.body:
        return values
    form = request.form_data()
    if form is not None:
        values.update({name: field.text() for name, field in form.items()})
        return values
    content_type = request.header("Content-Type").lower()
    if content_type.startswith("application/json"):
        try:
            body: Any = request.json()
        except (ValueError, UnicodeDecodeError):
            return values
        if isinstance(body, dict):
            values.update({str(k): _text(v) for k, v in body.items()})
        return values
    with contextlib.suppress(UnicodeDecodeError):
        values.update({name: found[-1] for name, found in request.form().items() if found})
    return values


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def fields(values: dict[str, str], default: tuple[str, ...]) -> list[str]:
    """The `fields` asked for (`replied_to{id}` is `replied_to`), or `default`."""
    asked = values.get("fields", "")
    if not asked.strip():
        return list(default)
    names = []
    depth = 0
    current = ""
    for char in asked:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            names.append(current.strip())
            current = ""
        elif depth == 0:
            current += char
    names.append(current.strip())
    return [name for name in names if name]


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1")
