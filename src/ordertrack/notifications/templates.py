"""Message templates: pure rendering of notification text, SMS and HTML email, merchant-editable in a sandbox.

Merchants may write their own Jinja templates, so a template is untrusted code running in the server: it
gets only plain data, a short list of filters, no loader (no include/import/extends), and bounded time
and memory (source size, output size, loop iterations, string sizes). Every failure is a ``TemplateError``
that names the line, so the dashboard can show it next to the editor.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache, partial
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from babel.core import UnknownLocaleError
from babel.dates import format_date, format_interval, format_skeleton, format_time
from jinja2 import DictLoader, StrictUndefined, TemplateSyntaxError, nodes, pass_eval_context
from jinja2 import Template as JinjaTemplate
from jinja2.exceptions import SecurityError, TemplateRuntimeError, UndefinedError
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from markupsafe import Markup

from ordertrack.kit.errors import Unprocessable


class Trigger(StrEnum):
    """What happened; each one is switched on or off per merchant and channel."""

    order_confirmed = "order_confirmed"
    shipped = "shipped"
    out_for_delivery = "out_for_delivery"
    available_for_pickup = "available_for_pickup"
    failed_attempt = "failed_attempt"
    delivered = "delivered"
    exception = "exception"
    delivery_revised = "delivery_revised"
    low_stock = "low_stock"
    needs_attention = "needs_attention"


STAFF_TRIGGERS = frozenset({Trigger.low_stock, Trigger.needs_attention})


class Channel(StrEnum):
    """How a message travels; webhooks carry JSON, not a template."""

    email = "email"
    sms = "sms"
    webhook = "webhook"


@dataclass(frozen=True)
class ShipmentFacts:
    """One parcel as the message tells it: carrier, tracking number and what is inside."""

    carrier_name: str
    tracking_number: str
    carrier_url: str | None
    items: tuple[tuple[str, int], ...]  # (name, quantity)


@dataclass(frozen=True)
class EventFacts:
    """The scan that caused the message, in the local time of where it happened."""

    status: str
    reason: str | None
    description: str | None
    place: str | None
    local_time: datetime | None  # aware
    timezone: str | None


@dataclass(frozen=True)
class MessageContext:
    """Everything a message may say, already looked up; rendering never touches the database."""

    trigger: Trigger
    locale: str
    store_name: str
    brand_colour: str
    order_number: str
    shopper_name: str | None
    tracking_url: str
    unsubscribe_url: str
    shipments: tuple[ShipmentFacts, ...]
    event: EventFacts | None
    estimated_delivery: tuple[date, date] | None
    previous_estimate: tuple[date, date] | None
    sku: str | None = None
    warehouse: str | None = None
    available: int | None = None
    # The JSON-LD deliveryAddress carries the town only: a street address has no business in mail markup.
    delivery_locality: str | None = None
    delivery_country: str | None = None
    # A staff alert's finding in words ("no scan for 5.0 days; usually at most 2.0 days").
    alert: str | None = None


@dataclass(frozen=True)
class TemplateSource:
    """A template as a merchant writes it (email: subject + text + html; SMS: text only)."""

    subject: str | None
    text: str
    html: str | None


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for a channel."""

    subject: str | None
    text: str
    html: str | None


class TemplateError(Unprocessable):
    """A template that cannot be rendered: syntax, sandbox refusal, unknown variable or a limit reached."""

    code = "invalid_template"


SUPPORTED_LOCALES = ("en", "pt_BR", "es")
MAX_SOURCE_CHARS = 20_000  # per part; generous for a hand-written email
MAX_OUTPUT_CHARS = 100_000  # per part; Gmail clips messages past ~102 KB anyway
MAX_STRING_CHARS = MAX_OUTPUT_CHARS  # any intermediate string or list a template builds
MAX_ITERATIONS = 10_000  # all loop iterations of one render together; bounds CPU, not just output
MAX_NUMBER = 100_000  # integers passed to calls or powers; stops "x".ljust(10**9) and 9**9**9
_FORBIDDEN_TAGS = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
_WIDE_FORMAT = re.compile(r"\d{6,}")


# Plain read-only records for templates: attribute access without dict methods (``items``) in the way.
class Item(NamedTuple):
    name: str
    quantity: int


class Shipment(NamedTuple):
    carrier_name: str
    tracking_number: str
    carrier_url: str | None
    items: tuple[Item, ...]


class Event(NamedTuple):
    status: str
    reason: str | None
    description: str | None
    place: str | None
    local_time: datetime | None
    timezone: str | None


class DateRange(NamedTuple):
    earliest: date
    latest: date


def supported_locale(locale: str) -> str:
    """The closest locale we ship copy for ("pt-BR" and "pt" read as pt_BR, unknown as en)."""
    wanted = locale.replace("-", "_")
    for known in SUPPORTED_LOCALES:
        if wanted.lower() == known.lower() or wanted.split("_")[0].lower() == known.split("_")[0]:
            return known
    return "en"


# -- filters ---------------------------------------------------------------------------------------------


def format_day(value: date, format: str = "medium", *, locale: str) -> str:
    """A calendar date in the reader's language."""
    return format_date(value, format, locale=locale)


def format_moment(value: datetime, zone: str | None = None, *, locale: str) -> str:
    """Date, hours and minutes where the scan happened, with the zone so nobody reads it as their own."""
    if value.tzinfo is None:
        raise TemplateRuntimeError("datetime filter needs a time with a zone")
    if zone:
        value = value.astimezone(ZoneInfo(zone))
    label = value.tzname() or ""
    if not label or label[0] in "+-":
        offset = value.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes < 0 else "+"
        label = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    day = format_date(value, "medium", locale=locale)
    return f"{day} {format_time(value, 'short', locale=locale)} {label}"


def format_estimate(value: Iterable[date] | date | None, weekday: bool = False, *, locale: str) -> str:
    """ "Nov 24" or "Nov 24 – 26": a delivery window the way the locale writes date ranges."""
    if value is None:
        return ""
    if isinstance(value, date):
        earliest = latest = value
    else:
        earliest, latest = tuple(value)
    if earliest == latest:
        return format_skeleton("MMMEd" if weekday else "MMMd", earliest, locale=locale)
    return format_interval(earliest, latest, "MMMEd" if weekday else "MMMd", locale=locale)


# -- the sandbox -----------------------------------------------------------------------------------------

_iterations: ContextVar[list[int]] = ContextVar("template_iterations")


def bounded_iteration(iterable: Iterable[Any]) -> Iterator[Any]:
    """Counts every loop step of a render; injected around each ``{% for %}`` by ``_guard_loops``."""
    counter = _iterations.get()
    for value in iterable:
        counter[0] += 1
        if counter[0] > MAX_ITERATIONS:
            raise SecurityError(f"template loops ran more than {MAX_ITERATIONS} times")
        yield value


def _check_size(value: Any) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_STRING_CHARS:
        raise SecurityError(f"template built a value longer than {MAX_STRING_CHARS} characters")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
        raise SecurityError("template built a number that is too large")
    return value


class BoundedNamespace(Namespace):
    """``namespace()`` whose attributes cannot grow past the size limit (no doubling a string in a loop)."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, _check_size(value))


class MessageSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with size guards on the operations that can allocate without bound."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                repeated = isinstance(seq, str | list | tuple) and isinstance(n, int)
                if repeated and len(seq) * n > MAX_STRING_CHARS:
                    raise SecurityError("template tried to repeat a string or list beyond the size limit")
        if operator == "**" and (
            not isinstance(right, int | float) or abs(right) > 64 or abs(left) > MAX_NUMBER
        ):
            raise SecurityError("template tried to raise to a power beyond the limit")
        sized = (str, list, tuple)
        joined = operator == "+" and isinstance(left, sized) and isinstance(right, sized)
        if joined and len(left) + len(right) > MAX_STRING_CHARS:
            raise SecurityError(f"template built a value longer than {MAX_STRING_CHARS} characters")
        if operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise SecurityError("template used a format width beyond the limit")
        return _check_size(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        for argument in (*args, *kwargs.values()):
            if isinstance(argument, int) and not isinstance(argument, bool) and abs(argument) > MAX_NUMBER:
                raise SecurityError(f"template passed a number above {MAX_NUMBER} to a function")
            if isinstance(argument, str) and _WIDE_FORMAT.search(argument) and "format" in str(__obj):
                raise SecurityError("template used a format width beyond the limit")
            _check_size(argument)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") == "replace" and len(args) >= 2:
            old, new = str(args[0]), str(args[1])
            grown = len(owner) + (owner.count(old) if old else len(owner) + 1) * len(new)
            if grown > MAX_STRING_CHARS:
                raise SecurityError("template replace() would build a value beyond the size limit")
        if (
            isinstance(owner, str)
            and _WIDE_FORMAT.search(owner)
            and getattr(__obj, "__name__", "")
            in (
                "format",
                "format_map",
            )
        ):
            raise SecurityError("template used a format width beyond the limit")
        return _check_size(super().call(__context, __obj, *args, **kwargs))


@pass_eval_context
def _bounded_replace(eval_ctx: EvalContext, value: Any, old: str, new: str, count: int | None = None) -> Any:
    text = str(value)
    grown = len(text) + (text.count(old) if old else len(text) + 1) * len(new)
    if grown > MAX_STRING_CHARS:
        raise SecurityError("template replace would build a value beyond the size limit")
    return _BASE_FILTERS["replace"](eval_ctx, value, old, new, count)


_BASE_FILTERS = ImmutableSandboxedEnvironment().filters
# Filters that pad, repeat, format or randomise are left out: they can allocate without bound or make
# output depend on chance, and a notification has no use for them. "safe" is left out so shopper data
# is always escaped in HTML.
_ALLOWED_FILTERS = [
    *("abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first", "float", "groupby"),
    *("int", "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr"),
    *("reverse", "round", "select", "selectattr", "sort", "string", "striptags", "sum", "title", "tojson"),
    *("trim", "truncate", "unique", "upper", "urlencode", "wordcount"),
]


@lru_cache(maxsize=16)
def _environment(locale: str, html: bool) -> MessageSandbox:
    env = MessageSandbox(
        loader=DictLoader({}),  # knows no template at all: include/import/extends find nothing to read
        undefined=StrictUndefined,
        autoescape=html,
        keep_trailing_newline=False,
    )
    env.filters = {name: _BASE_FILTERS[name] for name in _ALLOWED_FILTERS}
    env.filters["replace"] = _bounded_replace
    env.filters["date"] = partial(format_day, locale=locale)
    env.filters["datetime"] = partial(format_moment, locale=locale)
    env.filters["estimate"] = partial(format_estimate, locale=locale)
    env.globals = {"range": env.globals["range"], "dict": dict, "namespace": BoundedNamespace}
    return env


def _guard_loops(tree: nodes.Template, name: str) -> nodes.Template:
    """Refuse tags that reach other templates and count loop steps: both decided before anything runs."""
    for node in tree.find_all(_FORBIDDEN_TAGS):
        tag = type(node).__name__.lower().replace("fromimport", "from-import")
        raise TemplateError(
            f"{name}, line {node.lineno}: templates cannot {tag} other templates; "
            "write everything in this one template"
        )
    guard = nodes.ImportedName(f"{__name__}.bounded_iteration")
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Call(guard, [loop.iter], [], None, None, lineno=loop.lineno)
    for concat in list(tree.find_all(nodes.Concat)):
        concat.nodes = [
            nodes.Call(nodes.ImportedName(f"{__name__}._check_size"), [n], [], None, None)
            for n in concat.nodes
        ]
    return tree


@lru_cache(maxsize=512)
def _compile(source: str, name: str, locale: str, html: bool) -> JinjaTemplate:
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateError(f"{name} is {len(source)} characters long; the limit is {MAX_SOURCE_CHARS}")
    env = _environment(locale, html)
    try:
        tree = _guard_loops(env.parse(source, name=name), name)
        code = env.compile(tree, name=name, filename=name)
    except TemplateSyntaxError as error:
        raise TemplateError(f"{name}, line {error.lineno}: {error.message}") from None
    return env.template_class.from_code(env, code, env.make_globals(None))


def _failing_line(error: BaseException, name: str) -> int | None:
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == name]
    return frames[-1].lineno if frames else None


def _render_part(source: str, name: str, variables: dict[str, Any], locale: str, html: bool) -> str:
    template = _compile(source, name, locale, html)
    token = _iterations.set([0])
    try:
        pieces: list[str] = []
        size = 0
        for piece in template.generate(variables):
            size += len(piece)
            if size > MAX_OUTPUT_CHARS:
                raise SecurityError(f"output is longer than {MAX_OUTPUT_CHARS} characters")
            pieces.append(piece)
        return "".join(pieces)
    except TemplateError:
        raise
    except (SecurityError, UndefinedError, TemplateRuntimeError, TemplateSyntaxError) as error:
        kind = "not allowed" if isinstance(error, SecurityError) else "error"
        line = _failing_line(error, name)
        where = f"{name}, line {line}" if line else name
        message = getattr(error, "message", None) or str(error)
        raise TemplateError(f"{where}: {kind}: {message}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError, UnknownLocaleError) as error:
        line = _failing_line(error, name)
        where = f"{name}, line {line}" if line else name
        raise TemplateError(f"{where}: error: {type(error).__name__}: {error}") from None
    finally:
        _iterations.reset(token)


# -- what templates see ------------------------------------------------------------------------------------


def _range(value: tuple[date, date] | None) -> DateRange | None:
    return DateRange(*value) if value else None


def template_variables(context: MessageContext, html: bool) -> dict[str, Any]:
    """The plain data a template may read: records and strings, never the dataclasses themselves."""
    shipments = tuple(
        Shipment(s.carrier_name, s.tracking_number, s.carrier_url, tuple(Item(n, q) for n, q in s.items))
        for s in context.shipments
    )
    event = Event(**context.event.__dict__) if context.event else None
    json_ld = parcel_delivery_json_ld(context)
    return {
        "trigger": str(context.trigger),
        "locale": context.locale,
        "store_name": context.store_name,
        "brand_colour": context.brand_colour if _COLOUR.fullmatch(context.brand_colour) else "#1f4e79",
        "order_number": context.order_number,
        "shopper_name": context.shopper_name,
        "tracking_url": context.tracking_url,
        "unsubscribe_url": context.unsubscribe_url,
        "shipments": shipments,
        "shipment": shipments[0] if shipments else None,
        "event": event,
        "estimated_delivery": _range(context.estimated_delivery),
        "previous_estimate": _range(context.previous_estimate),
        "sku": context.sku,
        "warehouse": context.warehouse,
        "available": context.available,
        "alert": context.alert,
        "json_ld": Markup(json_ld) if html else json_ld,
    }


_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")


def parcel_delivery_json_ld(context: MessageContext) -> str:
    """schema.org ParcelDelivery markup so mail clients can show the delivery; one per parcel."""
    deliveries: list[dict[str, Any]] = []
    for shipment in context.shipments or (None,):
        item: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ParcelDelivery",
            "partOfOrder": {
                "@type": "Order",
                "orderNumber": context.order_number,
                "merchant": {"@type": "Organization", "name": context.store_name},
            },
            "trackingUrl": context.tracking_url,
        }
        if context.delivery_locality or context.delivery_country:
            address = {"@type": "PostalAddress"}
            if context.delivery_locality:
                address["addressLocality"] = context.delivery_locality
            if context.delivery_country:
                address["addressCountry"] = context.delivery_country
            item["deliveryAddress"] = address
        if context.estimated_delivery:
            item["expectedArrivalFrom"] = context.estimated_delivery[0].isoformat()
            item["expectedArrivalUntil"] = context.estimated_delivery[1].isoformat()
        if shipment is not None:
            item["trackingNumber"] = shipment.tracking_number
            item["carrier"] = {"@type": "Organization", "name": shipment.carrier_name}
            item["itemShipped"] = [{"@type": "Product", "name": name} for name, _ in shipment.items]
        deliveries.append(item)
    body = json.dumps(deliveries[0] if len(deliveries) == 1 else deliveries, ensure_ascii=False)
    # "</" would end the script element early; "<!--" could open a comment. Both are inert as \u003c.
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{body}</script>'


# -- public API --------------------------------------------------------------------------------------------

_SMS_TYPOGRAPHY = str.maketrans(
    {
        "\u2013": "-", "\u2014": "-", "\u2009": " ", "\u202f": " ", "\u00a0": " ", "\u2018": "'",
        "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...",
    }
)  # fmt: skip


def sms_typography(text: str) -> str:
    """Plain dashes, spaces and quotes: one typographic character would switch a whole SMS to UCS-2."""
    return text.translate(_SMS_TYPOGRAPHY)


_STOP_WORD = re.compile(r"\bSTOP\b")


def with_sms_opt_out(text: str, locale: str) -> str:
    """The text fitted to two segments and ending with how to stop texts ("Reply STOP to opt
    out"), also when a merchant's own template forgot it (CTIA: every recurring text says how
    to stop). A text that already names STOP is only fitted."""
    from ordertrack.notifications.channels.sms import fit_sms
    from ordertrack.notifications.default_templates import sms_opt_out

    if _STOP_WORD.search(text):
        return fit_sms(text)
    return fit_sms(text, footer="\n" + sms_opt_out(supported_locale(locale)))


def default_template(trigger: Trigger, channel: Channel, locale: str) -> TemplateSource:
    """Our copy for one trigger, channel and language; merchants start from it."""
    from ordertrack.notifications.default_templates import compose

    if channel is Channel.webhook:
        raise TemplateError("webhooks carry JSON, not a template")
    if channel is Channel.sms and trigger in STAFF_TRIGGERS:
        raise TemplateError(f"{trigger} is a staff alert and goes by email only")
    return compose(Trigger(trigger), Channel(channel), supported_locale(locale))


def render(
    context: MessageContext, channel: Channel, source: TemplateSource | None = None
) -> RenderedMessage:
    """Render a message for ``channel`` from the merchant's template, or ours when they have none."""
    locale = supported_locale(context.locale)
    source = source or default_template(context.trigger, channel, locale)
    text_vars = template_variables(context, html=False)
    if channel is Channel.sms:
        text = sms_typography(_render_part(source.text, "sms text", text_vars, locale, html=False).strip())
        return RenderedMessage(subject=None, text=with_sms_opt_out(text, locale), html=None)
    if channel is not Channel.email:
        raise TemplateError(f"{channel} messages are not rendered from templates")
    subject = None
    if source.subject is not None:
        subject = " ".join(_render_part(source.subject, "subject", text_vars, locale, html=False).split())
    text = _BLANK_LINES.sub("\n\n", _render_part(source.text, "text", text_vars, locale, html=False)).strip()
    text += "\n"
    html = None
    if source.html is not None:
        html = _render_part(source.html, "html", template_variables(context, html=True), locale, html=True)
        if "application/ld+json" not in html and context.trigger not in STAFF_TRIGGERS:
            markup = str(text_vars["json_ld"])
            html = html.replace("</body>", markup + "</body>", 1) if "</body>" in html else html + markup
    return RenderedMessage(subject=subject, text=text, html=html)


def check_template(source: TemplateSource, channel: Channel) -> None:
    """Render a merchant's template against sample data for every trigger before saving it."""
    if channel is Channel.webhook:
        raise TemplateError("webhooks carry JSON, not a template")
    if channel is Channel.email and (not source.subject or source.html is None):
        raise TemplateError("an email template needs a subject, a text part and an HTML part")
    if channel is Channel.sms and (source.subject or source.html):
        raise TemplateError("an SMS template is text only")
    for part, value in (("subject", source.subject), ("text", source.text), ("html", source.html)):
        if value is not None and len(value) > MAX_SOURCE_CHARS:
            raise TemplateError(f"{part} is {len(value)} characters long; the limit is {MAX_SOURCE_CHARS}")
    for trigger in (Trigger.shipped, Trigger.exception):
        render(sample_context(trigger, "en"), channel, source)


def sample_context(trigger: Trigger, locale: str) -> MessageContext:
    """A believable order for previews and checks: every optional field filled, so templates meet them all."""
    zone = "America/Chicago"
    local_time = datetime(2025, 11, 24, 14, 5, tzinfo=UTC).astimezone(ZoneInfo(zone))
    reasons = {Trigger.exception: "address_issue", Trigger.failed_attempt: "recipient_unavailable"}
    statuses = {
        Trigger.order_confirmed: "pending",
        Trigger.shipped: "in_transit",
        Trigger.delivery_revised: "in_transit",
        Trigger.low_stock: "pending",
        Trigger.needs_attention: "exception",
    }
    return MessageContext(
        trigger=Trigger(trigger),
        locale=supported_locale(locale),
        store_name="Aurora Outdoor",
        brand_colour="#1f4e79",
        order_number="AUR-10042",
        shopper_name="Ana Souza",
        tracking_url="https://track.example.com/track/t/8f3Kq2LmZx7Wd4Rv9Bn1Pc6Ys0Hj5Ta",
        unsubscribe_url="https://track.example.com/unsubscribe/8f3Kq2LmZx7Wd4Rv9Bn1Pc6Ys0Hj5Ta",
        shipments=(
            ShipmentFacts(
                carrier_name="UPS",
                tracking_number="1Z999AA10123456784",
                carrier_url="https://www.ups.com/track?tracknum=1Z999AA10123456784",
                items=(("Trail running shoes", 1), ("Merino socks", 2)),
            ),
        ),
        event=EventFacts(
            status=statuses.get(trigger, str(trigger)),
            reason=reasons.get(trigger),
            description="Address could not be verified" if trigger is Trigger.exception else None,
            place="UPS Access Point, 120 Main St, Springfield IL"
            if trigger is Trigger.available_for_pickup
            else "Springfield, IL",
            local_time=local_time,
            timezone=zone,
        ),
        estimated_delivery=(date(2025, 11, 26), date(2025, 11, 28)),
        previous_estimate=(date(2025, 11, 25), date(2025, 11, 25))
        if trigger is Trigger.delivery_revised
        else None,
        sku="SHOE-TR-42",
        warehouse="CHI-1",
        available=3,
        delivery_locality="Springfield",
        delivery_country="US",
    )


def webhook_payload(context: MessageContext, event_type: str) -> dict[str, Any]:
    """The JSON a merchant's webhook receives: facts only, dates as ISO strings, no copy."""
    event = context.event
    staff = context.trigger in STAFF_TRIGGERS
    return {
        "type": event_type,
        "data": {
            "trigger": str(context.trigger),
            "order_number": context.order_number or None,
            # Staff alerts point into the dashboard; shopper events to the public tracking page.
            ("dashboard_url" if staff else "tracking_url"): context.tracking_url,
            "shipments": [
                {
                    "carrier": s.carrier_name,
                    "tracking_number": s.tracking_number,
                    "carrier_url": s.carrier_url,
                    "items": [{"name": name, "quantity": quantity} for name, quantity in s.items],
                }
                for s in context.shipments
            ],
            "event": None
            if event is None
            else {
                "status": event.status,
                "reason": event.reason,
                "description": event.description,
                "place": event.place,
                "occurred_at": event.local_time.isoformat() if event.local_time else None,
                "timezone": event.timezone,
            },
            "estimated_delivery": None
            if context.estimated_delivery is None
            else {
                "earliest": context.estimated_delivery[0].isoformat(),
                "latest": context.estimated_delivery[1].isoformat(),
            },
            "previous_estimate": None
            if context.previous_estimate is None
            else {
                "earliest": context.previous_estimate[0].isoformat(),
                "latest": context.previous_estimate[1].isoformat(),
            },
            **(
                {"sku": context.sku, "warehouse": context.warehouse, "available": context.available}
                if context.trigger is Trigger.low_stock
                else {}
            ),
        },
    }
