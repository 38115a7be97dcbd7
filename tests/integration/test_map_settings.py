"""The dashboard's route map settings: a merchant's tiles saved, refused with the reason and
what was typed kept, cleared back to the shipped outlines; CSRF required; one merchant's tiles
never reach another merchant's settings."""

from __future__ import annotations

from ordertrack.db.uow import Database
from ordertrack.merchants import map_tiles
from tests.integration.test_dashboard_forms import _csrf, signed_in
from tests.integration.test_staff import make_staff
from tests.support import LiveServer

TEMPLATE = "https://tiles.example.com/{z}/{x}/{y}.png"


def _tiles(db: Database, merchant_id: str) -> map_tiles.MapTiles:
    with db.uow(write=False) as uow:
        return map_tiles.map_tiles(uow, merchant_id)


def test_tiles_are_saved_refused_with_the_reason_and_cleared(
    server: LiveServer, db: Database, make_merchant
) -> None:
    merchant = make_merchant("Acme")
    other = make_merchant("Other Shop")
    make_staff(db, merchant.merchant_id)
    with signed_in(server) as http:
        page = http.get("/dashboard/settings")
        assert "Route map" in page.text and "Use the built-in outlines" not in page.text
        token = _csrf(page.text)
        refused = http.post(
            "/dashboard/settings/map-tiles",
            data={
                "csrf_token": token,
                "url_template": "http://tiles.example.com/{z}/{x}/{y}.png",
                "attribution": "A",
            },
        )
        assert refused.status_code == 422
        assert "must start with https://" in refused.text
        assert 'value="http://tiles.example.com/{z}/{x}/{y}.png"' in refused.text  # kept to correct
        assert "Use the built-in outlines" not in refused.text  # nothing saved to go back from
        assert _tiles(db, merchant.merchant_id) == map_tiles.MapTiles()
        saved = http.post(
            "/dashboard/settings/map-tiles",
            data={"csrf_token": token, "url_template": TEMPLATE, "attribution": "© Example Maps"},
        )
        assert saved.status_code == 303 and saved.headers["location"].endswith("saved=map")
        assert _tiles(db, merchant.merchant_id) == map_tiles.MapTiles(TEMPLATE, "© Example Maps")
        assert _tiles(db, other.merchant_id) == map_tiles.MapTiles()  # tenants stay apart
        again = http.get("/dashboard/settings?saved=map")
        assert "Map settings saved." in again.text and "Use the built-in outlines" in again.text
        without = http.post(
            "/dashboard/settings/map-tiles",
            data={"csrf_token": token, "url_template": TEMPLATE, "attribution": "  "},
        )
        assert without.status_code == 422 and "credit line" in without.text
        cleared = http.post(
            "/dashboard/settings/map-tiles",
            data={"csrf_token": token, "url_template": TEMPLATE, "attribution": "x", "use_outlines": "1"},
        )
        assert cleared.status_code == 303
        assert _tiles(db, merchant.merchant_id) == map_tiles.MapTiles()
        forged = http.post(
            "/dashboard/settings/map-tiles", data={"url_template": TEMPLATE, "attribution": "x"}
        )
        assert forged.status_code in (400, 403)
        assert _tiles(db, merchant.merchant_id) == map_tiles.MapTiles()
