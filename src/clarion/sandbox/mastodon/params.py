"""A request's parameters as Rails reads them."""

from __future__ import annotations

from typing import Any

from clarion.sandbox.server import Request


def params(request: Request) -> dict[str, Any]:
    """The body's parameters as Rails sees them: JSON, or a form with `name[]` lists."""
    content_type = request.header("Content-Type").lower()
    if content_type.startswith("application/json"):
        data = request.json()
        return data if isinstance(data, dict) else {}
    form = request.form_data()
    if form is not None:  # a file's value is its bytes, a field's its text
        return {n: f.data if f.filename is not None else f.text() for n, f in form.items()}
    found: dict[str, Any] = {}
    for key, values in request.form().items():
        if key.endswith("[]"):
            found[key[:-2]] = values
        else:
            found[key] = values[-1]
    return found


def truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "t", "on", "yes")
