"""What the OpenAPI document says beyond what FastAPI writes from the routes.

A NUL character anywhere in a URL is refused with ``400 bad_request`` before any route runs
(``RejectNulInUrl`` in api/app.py), so every path and query parameter that takes free text
declares it: a pattern that admits no NUL, the one input models declare for their strings.
"""

from __future__ import annotations

from typing import Any

from ordertrack.kit.schema import NO_NUL_PATTERN


def _no_nul(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string" and not ({"pattern", "enum", "const", "format"} & schema.keys()):
        schema["pattern"] = NO_NUL_PATTERN
    for part in schema.get("anyOf", ()):
        _no_nul(part)
    if isinstance(schema.get("items"), dict):
        _no_nul(schema["items"])


def declare_url_rules(document: dict[str, Any]) -> dict[str, Any]:
    """Declare, on every path and query parameter, that a URL carries no NUL character."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", ()) if isinstance(operation, dict) else ():
                if parameter.get("in") in ("path", "query") and "schema" in parameter:
                    _no_nul(parameter["schema"])
    return document
