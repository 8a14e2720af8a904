"""The files `clarion init` writes, as templates in `templates/` with `@NAME@`
placeholders (not Jinja's braces: workflows are full of `${{ }}`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources

_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


def template(name: str) -> str:
    return resources.files("clarion.adopt").joinpath("templates", name).read_text(encoding="utf-8")


def render(name: str, values: Mapping[str, str]) -> str:
    """Template `name` with each `@KEY@` replaced by `values[KEY]`, in one pass
    (a value is never read for placeholders). A placeholder with no value is a bug."""

    def value(found: re.Match[str]) -> str:
        try:
            return values[found[1]]
        except KeyError:
            raise KeyError(f"template {name}: no value for @{found[1]}@") from None

    return _PLACEHOLDER.sub(value, template(name))
