"""Rendering server-side pages: Jinja2 with autoescaping, gettext, and locale-aware dates.

Every page works without JavaScript; scripts only improve it. Nothing is fetched from outside
the server: styles, scripts and images are served from ``/static``. Pages send a strict
Content-Security-Policy that allows only this origin.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup

from ordertrack.kit.sentences import close_sentences
from ordertrack.web import i18n

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@functools.cache
def environment(locale: str) -> Environment:
    """One template environment per locale, with that locale's catalogs installed."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "xml", "svg")),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    _close_sentences_on_names(env)
    return env


def _close_sentences_on_names(env: Environment) -> None:
    """ "Hello, %(name)s." with a name ending in a full stop ("Sam Smith Jr.") takes no second one."""
    for key in ("gettext", "_", "ngettext"):
        translate = env.globals[key]

        def tidy(*args: Any, __translate: Any = translate, **variables: Any) -> Any:
            text = __translate(*args, **variables)
            tidied = close_sentences(str(text), variables.values(), html=True)
            return text if tidied == str(text) else Markup(tidied) if isinstance(text, Markup) else tidied

        env.globals[key] = pass_context(tidy) if getattr(translate, "jinja_pass_arg", None) else tidy


def locale_for(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(i18n.COOKIE)
    return i18n.negotiate(request.headers.get("accept-language"), chosen)


def local_datetime(value: datetime, zone: str | None, locale: str, format: str = "medium") -> str:
    """An instant as the wall clock showed it in ``zone`` (else UTC), written for ``locale``."""
    tz = ZoneInfo(zone) if zone else ZoneInfo("UTC")
    return format_datetime(value.astimezone(tz), format=format, locale=locale)


def local_date(value: date, locale: str, format: str = "full") -> str:
    return format_date(value, format=format, locale=locale)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    locale: str | None = None,
) -> HTMLResponse:
    """Render ``template`` in the request's locale, with the shared helpers every page uses."""
    locale = locale or locale_for(request)
    env = environment(locale)
    html = env.get_template(template).render(
        {
            **context,
            "request": request,
            "locale": locale,
            "html_lang": locale.replace("_", "-"),
            "locales": [(code, i18n.language_name(code)) for code in i18n.LOCALES],
            "local_datetime": lambda value, zone=None, format="medium": local_datetime(
                value, zone, locale, format
            ),
            "local_date": lambda value, format="full": local_date(value, locale, format),
        }
    )
    response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    if request.query_params.get("lang") and request.query_params.get("lang") == locale:
        response.set_cookie(i18n.COOKIE, locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
