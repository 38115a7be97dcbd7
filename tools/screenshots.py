"""Regenerate the product's screenshots: the shopper's page and the dashboard, as users see them.

    python3 tools/screenshots.py                 # every page, into docs/screenshots/ + docs/screenshots.md
    python3 tools/screenshots.py --only landing --only track-in-transit
    python3 tools/screenshots.py --list          # the page list, one name a line

It starts ``ordertrack serve --demo --no-live`` on a free 127.0.0.1 port with a database in a
temporary directory, signs in as the demo staff member, and drives Debian's Chromium
(``/usr/bin/chromium``, through Playwright) over every page of :data:`PAGES`, each at the widths
it names. A page that does not exist (404) or whose data the demo lacks is skipped with a
message, so the list may name pages before they are built. PNGs are reduced to a 256-colour
palette and cut at :data:`MAX_HEIGHT` pixels, so the folder stays small.

``--base-url`` (with ``--secret`` and ``--api-key`` of that server, for the pages that need them)
photographs a server that is already running instead.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
INDEX = ROOT / "docs" / "screenshots.md"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_LOGIN = ("demo@northwind.example", "northwind-demo")
DESKTOP, PHONE = 1280, 360
HEIGHTS = {DESKTOP: 900, PHONE: 740}
MAX_HEIGHT = 2600  # px: a long page is cut here; the top is what a reader needs to see


class Skip(Exception):
    """This page cannot be photographed here (the reason is printed)."""


@dataclass(frozen=True)
class Shot:
    """One page to photograph: a file name, a caption, where it is, and at which widths."""

    name: str
    caption: str
    path: Callable[[Demo], str]
    widths: tuple[int, ...] = (DESKTOP,)
    signed_in: bool = False
    settle: str | None = None  # a CSS selector to wait for before the picture


class Demo:
    """What the pages need to know about the server's data, looked up when first asked."""

    def __init__(self, base_url: str, api_key: str | None, secret: str | None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.secret = secret
        self._orders: dict[str, dict[str, Any]] = {}

    def order(self, status: str) -> dict[str, Any]:
        if status not in self._orders:
            if not self.api_key:
                raise Skip("needs the server's API key (--api-key)")
            answer = httpx.get(
                f"{self.base_url}/api/v1/orders",
                params={"status": status, "limit": 1},
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=30,
            )
            items = answer.json().get("items", []) if answer.status_code == 200 else []
            if not items:
                raise Skip(f"the demo has no {status} order")
            self._orders[status] = items[0]
        return self._orders[status]

    def numbered(self, number: str, status: str) -> dict[str, Any]:
        """The demo's order ``number`` (its story has the most to show), else one ``status`` order."""
        if number not in self._orders and self.api_key:
            answer = httpx.get(
                f"{self.base_url}/api/v1/orders/{number}",
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=30,
            )
            if answer.status_code == 200:
                self._orders[number] = answer.json()
        return self._orders.get(number) or self.order(status)

    def shopper_page(self, status: str, query: str = "", *, number: str | None = None) -> str:
        if not self.secret:
            raise Skip("needs the server's secret key (--secret) to sign the shopper's link")
        from ordertrack.links import tracking_url

        order = self.numbered(number, status) if number else self.order(status)
        return tracking_url("", self.secret, order["id"]) + query


# A demo order in transit with a week of scans, a missed delivery and a map across England.
IN_TRANSIT = "NW-10442"


def _number(demo: Demo, status: str) -> str:
    return str(demo.order(status)["number"])


BOTH = (DESKTOP, PHONE)
PAGES: tuple[Shot, ...] = (
    Shot("landing", "The landing page at `/`: the shopper's lookup, the dashboard, the API.",
         lambda d: "/", BOTH),
    Shot("track-lookup", "The shopper's lookup form: order number with email or postcode.",
         lambda d: "/track", BOTH),
    Shot("track-in-transit", "A shopper's page for a parcel on its way: status, estimate, map, timeline.",
         lambda d: d.shopper_page("shipped", number=IN_TRANSIT), BOTH),
    Shot("track-partly-shipped",
         "A partly shipped order: every line, what is on its way and what is still to come, and when.",
         lambda d: d.shopper_page("partially_shipped"), BOTH),
    Shot("track-delivered", "A delivered order, as the shopper sees it.",
         lambda d: d.shopper_page("delivered"), BOTH),
    Shot("track-cancelled", "A cancelled order: finished, with no estimate and no text sign-up.",
         lambda d: d.shopper_page("cancelled"), BOTH),
    Shot("track-spanish", "The same parcel on its way, in Spanish.",
         lambda d: d.shopper_page("shipped", "?lang=es", number=IN_TRANSIT), BOTH),
    Shot("dashboard-orders", "The dashboard's order list: search, filters, paging, CSV export.",
         lambda d: "/dashboard/orders", BOTH, signed_in=True),
    Shot("dashboard-order",
         "An order as support needs it: address, shopper link, messages, notes, timeline.",
         lambda d: f"/dashboard/orders/{_number(d, 'shipped')}", BOTH, signed_in=True),
    Shot("dashboard-ship", "The ship form: warehouse, carrier and parcels proposed, nothing typed lost.",
         lambda d: f"/dashboard/orders/{_number(d, 'processing')}/ship", (DESKTOP,), signed_in=True),
    Shot("dashboard-attention", "Needs attention: the shipments a person should look at, with their state.",
         lambda d: "/dashboard/attention", BOTH, signed_in=True),
    Shot("dashboard-inventory", "Inventory: stock per warehouse, low stock flagged.",
         lambda d: "/dashboard/inventory", (DESKTOP,), signed_in=True),
    Shot("dashboard-pick-list", "The pick list of a warehouse.",
         lambda d: "/dashboard/inventory/pick-list", (DESKTOP,), signed_in=True),
    Shot("dashboard-settings", "Settings: branding (with the emails' logo), store contact, API keys.",
         lambda d: "/dashboard/settings", (DESKTOP,), signed_in=True),
    Shot("dashboard-templates", "Message templates per event, channel and language.",
         lambda d: "/dashboard/templates", BOTH, signed_in=True),
    Shot("dashboard-template-editor", "Editing a template, with the preview rendered on a real order.",
         lambda d: "/dashboard/templates/shipped/email/en", (DESKTOP,), signed_in=True,
         settle="#template-preview"),
    Shot("dashboard-analytics",
         "Delivery analytics: the figures and SVG charts of the last 90 days, lanes, where parcels wait.",
         lambda d: "/dashboard/analytics?period=90", BOTH, signed_in=True, settle="figure.chart"),
    Shot("dashboard-staff", "Staff and roles: invite, disable, reset.",
         lambda d: "/dashboard/staff", (DESKTOP,), signed_in=True),
    Shot("api-docs", "The API reference at `/docs`, served offline.",
         lambda d: "/docs", (DESKTOP,), settle=".opblock"),
)  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def demo_server(workdir: Path) -> Iterator[tuple[str, str, str]]:
    """``ordertrack serve --demo --no-live`` on a new database: (base URL, API key, secret)."""
    port, secret = free_port(), secrets.token_urlsafe(32)
    log_path = workdir / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERTRACK_")}
    env |= {"ORDERTRACK_SECRET_KEY": secret, "ORDERTRACK_VAR_DIR": str(workdir / "var")}
    command = [sys.executable, "-m", "ordertrack", "serve", "--demo", "--no-live", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--db", f"sqlite:///{workdir / 'demo.db'}"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"ordertrack serve stopped:\n{log_path.read_text(errors='replace')}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("ordertrack serve did not answer within 180 s")
            time.sleep(0.25)
        found = re.search(r"API key:\s+(\S+)", log_path.read_text(errors="replace"))
        yield base, found.group(1) if found else "", secret
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def shrink(path: Path) -> None:
    """A 256-colour palette and at most MAX_HEIGHT pixels: a fraction of the size, same picture."""
    from PIL import Image

    with Image.open(path) as image:
        picture = image.convert("RGB")
    if picture.height > MAX_HEIGHT:
        picture = picture.crop((0, 0, picture.width, MAX_HEIGHT))
    picture.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def sign_in(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/dashboard/login")
    page.get_by_label("Email").fill(DEMO_LOGIN[0])
    page.get_by_label("Password").fill(DEMO_LOGIN[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/"))


def capture(
    demo: Demo, shots: list[Shot], out: Path, log: Callable[[str], None] = print
) -> list[tuple[Shot, list[str]]]:
    """Photograph ``shots``; what was saved (page, file names), in order. Skips are logged."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    taken: list[tuple[Shot, list[str]]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts: dict[tuple[int, bool], Any] = {}

        def tab(width: int, signed_in: bool) -> Any:
            if (width, signed_in) not in contexts:
                context = browser.new_context(
                    viewport={"width": width, "height": HEIGHTS[width]},
                    is_mobile=width == PHONE,
                    has_touch=width == PHONE,
                    locale="en-US",
                )
                page = context.new_page()
                page.set_default_timeout(20_000)
                if signed_in:
                    sign_in(page, demo.base_url)
                contexts[(width, signed_in)] = page
            return contexts[(width, signed_in)]

        try:
            for shot in shots:
                try:
                    path = shot.path(demo)
                except Skip as skipped:
                    log(f"skipped {shot.name}: {skipped}")
                    continue
                files = []
                for width in shot.widths:
                    page = tab(width, shot.signed_in)
                    answer = page.goto(demo.base_url + path)
                    if answer is None or answer.status >= 400:
                        log(f"skipped {shot.name}: {path} answered {answer.status if answer else 'nothing'}")
                        break
                    if shot.settle:
                        page.locator(shot.settle).first.wait_for()
                    page.wait_for_load_state("networkidle")
                    name = f"{shot.name}-{width}.png"
                    page.screenshot(path=str(out / name), full_page=True)
                    shrink(out / name)
                    files.append(name)
                if files:
                    taken.append((shot, files))
                    log(f"saved {', '.join(files)}")
        finally:
            browser.close()
    return taken


def write_index(taken: list[tuple[Shot, list[str]]], index: Path, folder: Path) -> None:
    """docs/screenshots.md: every picture with its caption, in the order of the page list."""
    relative = os.path.relpath(folder, index.parent)
    lines = [
        "# Screenshots",
        "",
        "Made by `python3 tools/screenshots.py` from the demo (`ordertrack serve --demo`), in Chromium,",
        f"{DESKTOP} px wide and, for the pages people open on a phone, {PHONE} px wide. Run it again after",
        f"changing a page; pages that do not exist yet are skipped. Long pages are cut at {MAX_HEIGHT} px.",
        "",
    ]
    for shot, files in taken:
        lines += [f"## {shot.name}", "", shot.caption, ""]
        lines += [
            f"![{shot.caption} ({file.rsplit('-', 1)[1][:-4]} px)]({relative}/{file})" for file in files
        ]
        lines.append("")
    index.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], help="a page name (repeatable); see --list")
    parser.add_argument("--list", action="store_true", help="print the page names and stop")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs")
    parser.add_argument("--index", type=Path, default=INDEX, help="the Markdown list to write")
    parser.add_argument("--base-url", help="photograph this running server instead of a new demo")
    parser.add_argument("--api-key", help="with --base-url: an API key of the merchant shown")
    parser.add_argument("--secret", help="with --base-url: the server's secret key (signs shopper links)")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(shot.name for shot in PAGES))
        return 0
    unknown = set(args.only) - {shot.name for shot in PAGES}
    if unknown:
        parser.error(f"unknown page {', '.join(sorted(unknown))}; see --list")
    shots = [shot for shot in PAGES if not args.only or shot.name in args.only]
    with contextlib.ExitStack() as stack:
        if args.base_url:
            demo = Demo(args.base_url, args.api_key, args.secret)
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ordertrack-shots-")))
            print("starting the demo server…")
            demo = Demo(*stack.enter_context(demo_server(workdir)))
        taken = capture(demo, shots, args.out)
    if not args.only:
        for stale in args.out.glob("*.png"):
            if stale.name not in {file for _shot, files in taken for file in files}:
                stale.unlink()
    write_index(taken if not args.only else _merged(taken, args.out), args.index, args.out)
    print(f"{sum(len(files) for _shot, files in taken)} screenshots in {args.out}; listed in {args.index}")
    return 0


def _merged(taken: list[tuple[Shot, list[str]]], out: Path) -> list[tuple[Shot, list[str]]]:
    """With --only, the index still lists every picture in the folder, not just the new ones."""
    fresh = {shot.name: files for shot, files in taken}
    merged = []
    for shot in PAGES:
        files = fresh.get(shot.name) or sorted(
            p.name for p in out.glob(f"{shot.name}-*.png") if re.fullmatch(rf"{shot.name}-\d+\.png", p.name)
        )
        if files:
            merged.append((shot, sorted(files, key=lambda f: -int(f.rsplit("-", 1)[1][:-4]))))
    return merged


if __name__ == "__main__":
    sys.exit(main())
