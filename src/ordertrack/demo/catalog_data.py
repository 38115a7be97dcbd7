"""The demo shop's static data: its catalogue, its shoppers, its warehouses and the carrier
lanes that connect them. All of it is invented; names and streets only look real.

Shoppers use example.com / example.org addresses (RFC 2606) and, where the numbering
plan has one that the phone validation accepts, numbers from ranges reserved for fiction
(US 555-01xx, Ofcom's drama ranges, Australia's 0491 570 xxx).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MERCHANT_NAME = "Northwind Outfitters"


@dataclass(frozen=True)
class DemoPlace:
    """Where a scan happens: enough for the tracking page to show it on a map, in local time."""

    city: str
    region: str | None
    postal_code: str | None
    country: str
    latitude: float
    longitude: float
    timezone: str  # IANA zone
    customs: bool = False  # a scan here is the import clearance of the destination country


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    weight_grams: int
    hs_code: str
    origin_country: str
    price_usd: Decimal


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    email: str
    phone: str
    locale: str
    line1: str
    home: DemoPlace  # the shipping address's town; last-mile scans happen here


@dataclass(frozen=True)
class DemoLane:
    """How one carrier moves a parcel from a warehouse to a country: the hubs on the way."""

    carrier: str
    service: str
    hubs: tuple[str, ...]


def _p(sku: str, name: str, grams: int, hs: str, origin: str, usd: str) -> DemoProduct:
    return DemoProduct(sku, name, grams, hs, origin, Decimal(usd))


PRODUCTS: tuple[DemoProduct, ...] = (
    _p("NW-JK101-NVY-M", "Ridgeline 3L Rain Jacket, Navy, M", 410, "620140", "VN", "229.00"),
    _p("NW-JK101-NVY-L", "Ridgeline 3L Rain Jacket, Navy, L", 425, "620140", "VN", "229.00"),
    _p("NW-JK101-OLV-M", "Ridgeline 3L Rain Jacket, Olive, M", 410, "620140", "VN", "229.00"),
    _p("NW-JK102-RST-S", "Ridgeline 3L Rain Jacket Women's, Rust, S", 365, "620240", "VN", "229.00"),
    _p("NW-JK210-BLK-M", "Summit 800 Down Jacket, Black, M", 520, "620140", "CN", "299.00"),
    _p("NW-JK210-BLK-L", "Summit 800 Down Jacket, Black, L", 545, "620140", "CN", "299.00"),
    _p("NW-JK211-SGE-S", "Summit 800 Down Jacket Women's, Sage, S", 455, "620240", "CN", "299.00"),
    _p("NW-VS220-GRP-M", "Summit Down Vest, Graphite, M", 310, "620140", "CN", "179.00"),
    _p("NW-FL301-HTH-M", "Tarn Grid Fleece Hoodie, Heather Grey, M", 380, "611030", "PT", "119.00"),
    _p("NW-FL301-HTH-L", "Tarn Grid Fleece Hoodie, Heather Grey, L", 395, "611030", "PT", "119.00"),
    _p("NW-FL302-CRN-S", "Tarn Grid Fleece Hoodie Women's, Cranberry, S", 330, "611030", "PT", "119.00"),
    _p("NW-BL401-BLK-M", "Fjell Merino 150 Tee, Black, M", 140, "610990", "PT", "69.00"),
    _p("NW-BL401-BLK-L", "Fjell Merino 150 Tee, Black, L", 150, "610990", "PT", "69.00"),
    _p("NW-BL402-BLK-M", "Fjell Merino 250 Long Sleeve Crew, Black, M", 230, "611011", "PT", "95.00"),
    _p("NW-BL403-SKY-S", "Fjell Merino 250 Long Sleeve Crew Women's, Sky, S", 200, "611011", "PT", "95.00"),
    _p("NW-PT501-CHR-32", "Switchback Trail Pants, Charcoal, 32/32", 390, "620343", "VN", "109.00"),
    _p("NW-PT501-CHR-34", "Switchback Trail Pants, Charcoal, 34/32", 405, "620343", "VN", "109.00"),
    _p("NW-PT502-KHK-M", "Switchback Trail Pants Women's, Khaki, M", 340, "620463", "VN", "109.00"),
    _p("NW-PT510-BLK-M", "Cascade Rain Overtrousers, Black, M", 290, "620343", "VN", "99.00"),
    _p("NW-SK601-GRY-M", "Trailhead Merino Hiking Socks 2-Pack, Grey, M", 120, "611594", "US", "34.00"),
    _p("NW-SK601-GRY-L", "Trailhead Merino Hiking Socks 2-Pack, Grey, L", 130, "611594", "US", "34.00"),
    _p("NW-SK602-NVY-L", "Expedition Merino Mountaineering Socks, Navy, L", 95, "611594", "US", "29.00"),
    _p("NW-HT701-ORG", "Lookout Merino Beanie, Blaze Orange", 60, "650500", "LT", "35.00"),
    _p("NW-HT702-KHK", "Sunward Sun Hat, Khaki", 85, "650500", "CN", "39.00"),
    _p("NW-GL801-BLK-M", "Ascent Windproof Gloves, Black, M", 90, "611693", "CN", "49.00"),
    _p("NW-BT901-BRN-42", "Scree Mid GTX Hiking Boots, Brown, EU 42", 1180, "640391", "IT", "189.00"),
    _p("NW-BT901-BRN-44", "Scree Mid GTX Hiking Boots, Brown, EU 44", 1240, "640391", "IT", "189.00"),
    _p("NW-BT902-SLT-39", "Scree Mid GTX Hiking Boots Women's, Slate, EU 39", 980, "640391", "IT", "189.00"),
    _p("NW-BP010-BLK", "Corrie 28L Daypack, Black", 890, "420292", "VN", "129.00"),
    _p("NW-BP020-FST", "Traverse 55L Trekking Pack, Forest", 1650, "420292", "VN", "249.00"),
    _p("NW-SB030-REG", "Bivouac -5 C Down Sleeping Bag, Regular", 1100, "940430", "CN", "329.00"),
    _p("NW-TN040-2P", "Kestrel 2-Person Backpacking Tent", 1850, "630622", "CN", "379.00"),
)

# Bulky items: an order holding one is the kind that ships in several parcels.
BULKY_SKUS = frozenset({"NW-BP020-FST", "NW-SB030-REG", "NW-TN040-2P", "NW-BT901-BRN-44"})

# Order currency by destination country, and the shop's list-price conversion from USD.
CURRENCY = {"US": "USD", "CA": "CAD", "AU": "AUD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR"}
USD_RATE = {
    "USD": Decimal("1"),
    "CAD": Decimal("1.37"),
    "AUD": Decimal("1.53"),
    "GBP": Decimal("0.79"),
    "EUR": Decimal("0.92"),
}


def _home(
    city: str, region: str | None, postal: str, country: str, lat: float, lon: float, tz: str
) -> DemoPlace:
    return DemoPlace(city, region, postal, country, lat, lon, tz)


def _c(name: str, email: str, phone: str, locale: str, line1: str, home: DemoPlace) -> DemoCustomer:
    return DemoCustomer(name, email, phone, locale, line1, home)


LA, DEN, CHI, NY = "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York"
CUSTOMERS: tuple[DemoCustomer, ...] = (
    _c(
        "Maya Thompson",
        "maya.thompson@example.com",
        "+12065550142",
        "en-US",
        "1420 NW Market St",
        _home("Seattle", "WA", "98107", "US", 47.6687, -122.3780, LA),
    ),
    _c(
        "Daniel Okafor",
        "d.okafor@example.org",
        "+13035550187",
        "en-US",
        "2250 Eliot St",
        _home("Denver", "CO", "80211", "US", 39.7508, -105.0227, DEN),
    ),
    _c(
        "Priya Raman",
        "priya.raman@example.com",
        "+15125550119",
        "en-US",
        "4601 Duval St",
        _home("Austin", "TX", "78751", "US", 30.3135, -97.7208, CHI),
    ),
    _c(
        "Kevin Walsh",
        "kwalsh@example.com",
        "+16175550163",
        "en-US",
        "412 Commonwealth Ave",
        _home("Boston", "MA", "02215", "US", 42.3489, -71.0946, NY),
    ),
    _c(
        "Sofia Hernández",
        "sofia.hernandez@example.org",
        "+13125550134",
        "es-US",
        "2133 W Division St",
        _home("Chicago", "IL", "60622", "US", 41.9030, -87.6812, CHI),
    ),
    _c(
        "Jamal Carter",
        "jamal.carter@example.com",
        "+17185550176",
        "en-US",
        "350 Bedford Ave",
        _home("Brooklyn", "NY", "11249", "US", 40.7144, -73.9615, NY),
    ),
    _c(
        "Emily Nakamura",
        "emily.nakamura@example.com",
        "+15035550198",
        "en-US",
        "3725 SE Hawthorne Blvd",
        _home("Portland", "OR", "97214", "US", 45.5122, -122.6245, LA),
    ),
    _c(
        "Ryan Mitchell",
        "ryan.mitchell@example.org",
        "+18015550121",
        "en-US",
        "1048 E 2100 S",
        _home("Salt Lake City", "UT", "84106", "US", 40.7252, -111.8570, DEN),
    ),
    _c(
        "Olivia Tremblay",
        "olivia.tremblay@example.com",
        "+15145550155",
        "fr-CA",
        "4325 Rue Saint-Denis",
        _home("Montréal", "QC", "H2J 2K9", "CA", 45.5226, -73.5810, "America/Toronto"),
    ),
    _c(
        "Liam Chen",
        "liam.chen@example.org",
        "+16045550148",
        "en-CA",
        "2211 W 4th Ave",
        _home("Vancouver", "BC", "V6K 1N9", "CA", 49.2682, -123.1580, "America/Vancouver"),
    ),
    _c(
        "Aisha Patel",
        "aisha.patel@example.com",
        "+14165550190",
        "en-CA",
        "561 Bloor St W",
        _home("Toronto", "ON", "M5S 1Y6", "CA", 43.6655, -79.4095, "America/Toronto"),
    ),
    _c(
        "Oliver Bennett",
        "oliver.bennett@example.com",
        "+441614960123",
        "en-GB",
        "27 Oldham Street",
        _home("Manchester", None, "M1 1JG", "GB", 53.4836, -2.2347, "Europe/London"),
    ),
    _c(
        "Charlotte Davies",
        "charlotte.davies@example.org",
        "+441174960456",
        "en-GB",
        "52 Gloucester Road",
        _home("Bristol", None, "BS7 8BH", "GB", 51.4705, -2.5910, "Europe/London"),
    ),
    _c(
        "Amelia Clarke",
        "amelia.clarke@example.com",
        "+441314960789",
        "en-GB",
        "9 Marchmont Crescent",
        _home("Edinburgh", None, "EH9 1HN", "GB", 55.9375, -3.1930, "Europe/London"),
    ),
    _c(
        "Harry Singh",
        "harry.singh@example.com",
        "+442079460312",
        "en-GB",
        "118 Upper Street",
        _home("London", None, "N1 1QP", "GB", 51.5390, -0.1026, "Europe/London"),
    ),
    _c(
        "Grace Whitfield",
        "grace.whitfield@example.org",
        "+441134960654",
        "en-GB",
        "33 Headingley Lane",
        _home("Leeds", None, "LS6 1BL", "GB", 53.8190, -1.5720, "Europe/London"),
    ),
    _c(
        "Lukas Schneider",
        "lukas.schneider@example.com",
        "+4915123456789",
        "de-DE",
        "Kastanienallee 54",
        _home("Berlin", "BE", "10119", "DE", 52.5380, 13.4105, "Europe/Berlin"),
    ),
    _c(
        "Anna Becker",
        "anna.becker@example.org",
        "+4916098765432",
        "de-DE",
        "Eppendorfer Weg 186",
        _home("Hamburg", "HH", "20253", "DE", 53.5780, 9.9600, "Europe/Berlin"),
    ),
    _c(
        "Felix Wagner",
        "felix.wagner@example.com",
        "+491705554321",
        "de-DE",
        "Gollierstraße 12",
        _home("München", "BY", "80339", "DE", 48.1360, 11.5410, "Europe/Berlin"),
    ),
    _c(
        "Camille Laurent",
        "camille.laurent@example.com",
        "+33612345678",
        "fr-FR",
        "18 Rue des Martyrs",
        _home("Paris", "IDF", "75009", "FR", 48.8790, 2.3400, "Europe/Paris"),
    ),
    _c(
        "Julien Moreau",
        "julien.moreau@example.org",
        "+33687654321",
        "fr-FR",
        "7 Rue Mercière",
        _home("Lyon", "ARA", "69002", "FR", 45.7620, 4.8330, "Europe/Paris"),
    ),
    _c(
        "Sanne de Vries",
        "sanne.devries@example.com",
        "+31612345678",
        "nl-NL",
        "Eerste Helmersstraat 101",
        _home("Amsterdam", "NH", "1054 DZ", "NL", 52.3630, 4.8720, "Europe/Amsterdam"),
    ),
    _c(
        "Daan Jansen",
        "daan.jansen@example.org",
        "+31623456789",
        "nl-NL",
        "Oudegracht 158",
        _home("Utrecht", "UT", "3511 AZ", "NL", 52.0890, 5.1190, "Europe/Amsterdam"),
    ),
    _c(
        "Chloe Wilson",
        "chloe.wilson@example.com",
        "+61491570156",
        "en-AU",
        "41 Smith Street",
        _home("Fitzroy", "VIC", "3065", "AU", -37.8010, 144.9830, "Australia/Melbourne"),
    ),
    _c(
        "Jack Nguyen",
        "jack.nguyen@example.org",
        "+61491570159",
        "en-AU",
        "12 Brunswick Street",
        _home("Fortitude Valley", "QLD", "4006", "AU", -27.4570, 153.0350, "Australia/Brisbane"),
    ),
)

# The shop's fulfilment centres, by the code shipments carry.
WAREHOUSES: dict[str, DemoPlace] = {
    "RNO1": DemoPlace("Sparks", "NV", "89431", "US", 39.5350, -119.7527, LA),
    "LEJ1": DemoPlace("Schkeuditz", "SN", "04435", "DE", 51.4239, 12.2363, "Europe/Berlin"),
    "NTH1": DemoPlace("Northampton", None, "NN4 7PA", "GB", 52.2170, -0.8550, "Europe/London"),
}

# Which warehouse serves which destination country.
SHIPS_FROM = {
    "US": "RNO1",
    "CA": "RNO1",
    "AU": "RNO1",
    "GB": "NTH1",
    "DE": "LEJ1",
    "FR": "LEJ1",
    "NL": "LEJ1",
}

# Sorting hubs and gateways the demo parcels pass through.
HUBS: dict[str, DemoPlace] = {
    "reno": DemoPlace("Reno", "NV", "89510", "US", 39.5296, -119.8138, LA),
    "louisville": DemoPlace(
        "Louisville", "KY", "40209", "US", 38.1744, -85.7360, "America/Kentucky/Louisville"
    ),
    "memphis": DemoPlace("Memphis", "TN", "38118", "US", 35.0424, -89.9767, CHI),
    "hebron": DemoPlace("Hebron", "KY", "41048", "US", 39.0488, -84.6678, NY),
    "los_angeles": DemoPlace("Los Angeles", "CA", "90045", "US", 33.9416, -118.4085, LA),
    "hamilton": DemoPlace(
        "Hamilton", "ON", "L0R 1W0", "CA", 43.1736, -79.9350, "America/Toronto", customs=True
    ),
    "mississauga": DemoPlace(
        "Mississauga", "ON", "L5T 2N7", "CA", 43.6570, -79.6420, "America/Toronto", customs=True
    ),
    "sydney": DemoPlace("Mascot", "NSW", "2020", "AU", -33.9399, 151.1753, "Australia/Sydney", customs=True),
    "aschaffenburg": DemoPlace("Aschaffenburg", "BY", "63741", "DE", 49.9737, 9.1498, "Europe/Berlin"),
    "metz": DemoPlace("Metz", "GES", "57000", "FR", 49.1193, 6.1757, "Europe/Paris"),
    "roissy": DemoPlace("Roissy-en-France", "IDF", "95700", "FR", 49.0097, 2.5479, "Europe/Paris"),
    "oirschot": DemoPlace("Oirschot", "NB", "5688", "NL", 51.5049, 5.3136, "Europe/Amsterdam"),
    "daventry": DemoPlace("Daventry", None, "NN11 8RZ", "GB", 52.2650, -1.1620, "Europe/London"),
    "hinckley": DemoPlace("Hinckley", None, "LE10 3BQ", "GB", 52.5400, -1.3730, "Europe/London"),
}

# Carriers the shop uses per destination country, with their routes from its warehouse.
LANES: dict[str, tuple[DemoLane, ...]] = {
    "US": (
        DemoLane("ups", "UPS 2nd Day Air", ("louisville",)),
        DemoLane("fedex", "FedEx 2Day", ("memphis",)),
        DemoLane("usps", "Priority Mail", ("reno",)),
    ),
    "CA": (
        DemoLane("ups", "UPS Worldwide Expedited", ("louisville", "hamilton")),
        DemoLane("fedex", "FedEx International Economy", ("memphis", "mississauga")),
    ),
    "AU": (DemoLane("dhl", "DHL Express Worldwide", ("hebron", "los_angeles", "sydney")),),
    "GB": (
        DemoLane("royalmail", "Royal Mail Tracked 48", ("daventry",)),
        DemoLane("dpd", "DPD Next Day", ("hinckley",)),
    ),
    "DE": (DemoLane("dpd", "DPD Classic", ("aschaffenburg",)),),
    "FR": (
        DemoLane("dpd", "DPD Classic", ("aschaffenburg", "metz")),
        DemoLane("dhl", "DHL Express Worldwide", ("roissy",)),
    ),
    "NL": (DemoLane("dpd", "DPD Classic", ("oirschot",)),),
}
