"""The weekly digest as an email: subject, plain text and HTML, written from ``digest.Digest``.

One column, every figure on its own lines (the week, its change against the mean, the four weeks
before), so it reads in a narrow mail client as in a wide one; the HTML carries the same words as
the text part. Links go back to the analytics page for the week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader

from ordertrack.analytics import digest as d


def analytics_url(public_url: str, first: date, last: date) -> str:
    return f"{public_url.rstrip('/')}/dashboard/analytics?" + urlencode(
        {"from": first.isoformat(), "to": last.isoformat()}
    )


@dataclass(frozen=True)
class Line:
    """One figure as the digest prints it."""

    label: str
    week: str
    arrow: str
    change: str
    verdict: str  # better | worse | same | none
    before: tuple[str, ...]
    mean: str


def lines(digest: d.Digest) -> list[Line]:
    return [
        Line(
            m.label,
            d.shown(m.kind, m.week),
            d.ARROWS[m.direction],
            d.shown_change(m),
            m.verdict,
            tuple(d.shown(m.kind, v) for v in m.before),
            d.shown(m.kind, m.mean),
        )
        for m in digest.measures
    ]


VERDICT_WORDS = {"better": "better", "worse": "worse", "same": "no change", "none": ""}
VERDICT_COLOURS = {"better": "#1a6b2f", "worse": "#a3231b", "same": "#4a4a4a", "none": "#4a4a4a"}


_HTML_ENV = Environment(
    loader=PackageLoader("ordertrack.analytics", "templates"), autoescape=True, trim_blocks=True
)


def variables(digest: d.Digest, store_name: str, public_url: str, unsubscribe_url: str) -> dict[str, object]:
    week = d.week_words(digest.first, digest.last)
    return {
        "store_name": store_name,
        "week": week,
        "subject": f"{store_name}: deliveries in the week {week}",
        "lines": lines(digest),
        "worst": [
            {
                "words": d.lane_words(w.lane),
                "on_time": d.shown("rate", w.on_time.value),
                "late": w.late,
                "judged": w.on_time.denominator,
                "p90": d.shown("hours", w.transit_p90_hours),
            }
            for w in digest.worst_lanes
        ],
        "least": d.LEAST_LANE_DELIVERIES,
        "url": analytics_url(public_url, digest.first, digest.last),
        "unsubscribe_url": unsubscribe_url,
        "verdicts": VERDICT_WORDS,
        "colours": VERDICT_COLOURS,
    }


def compose(digest: d.Digest, store_name: str, public_url: str, unsubscribe_url: str) -> tuple[str, str, str]:
    """Subject, text and HTML of the digest email."""
    values = variables(digest, store_name, public_url, unsubscribe_url)
    text = _text(values)
    html = _HTML_ENV.get_template("digest_email.html").render(values)
    return str(values["subject"]), text, html


def _text(values: dict) -> str:
    """The plain text part: the same words as the HTML, a figure to a paragraph."""
    verdicts = VERDICT_WORDS
    out = [
        f"{values['store_name']}: deliveries in the week {values['week']}",
        "",
        "Each figure: the week, its change against the mean of the four weeks before, then those",
        "weeks (newest first) and their mean.",
        "",
    ]
    for line in values["lines"]:
        said = f"{line.label}: {line.week}"
        if line.change != "—":
            judged = f", {verdicts[line.verdict]}" if verdicts[line.verdict] else ""
            said += f" ({line.arrow} {line.change} against the mean{judged})"
        out += [said, f"  Weeks before: {' · '.join(line.before)}; mean {line.mean}", ""]
    least = values["least"]
    out.append(f"Worst lanes of the week (lowest on time against the promise, {least} deliveries or more):")
    for lane in values["worst"]:
        out.append(
            f"- {lane['words']}: {lane['on_time']} on time, {lane['late']} late of {lane['judged']};"
            f" transit p90 {lane['p90']}"
        )
    if not values["worst"]:
        out.append(f"- none: no lane with {least} deliveries or more had a late one.")
    out += [
        "",
        f"See the week: {values['url']}",
        "",
        "You get this email because you asked for it in the dashboard (Weekly digest).",
        f"Stop it: {values['unsubscribe_url']}",
    ]
    return "\n".join(out) + "\n"
