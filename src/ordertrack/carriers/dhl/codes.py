"""DHL Unified ``statusCode`` values onto ordertrack's statuses.

The Unified API normalises every DHL business's events to five codes: ``pre-transit``,
``transit``, ``delivered``, ``failure`` and ``unknown`` (DHL Shipment Tracking - Unified,
``supermodelIoLogisticsTrackingShipmentEvent.statusCode``,
https://developer.dhl.com/api-reference/shipment-tracking). ``failure`` carries no sub-code, so
its reason stays empty; ``unknown`` is DHL saying it cannot classify the event, which is what
ordertrack's safe fallback means, so it maps there without an ``unknown_code`` message.
"""

from __future__ import annotations

from ordertrack.carriers.codes import CodeTable, meanings
from ordertrack.statuses import EventStatus as S

DHL_CODES = CodeTable(
    carrier="dhl",
    codes={
        **meanings(S.info_received, "pre-transit"),
        **meanings(S.in_transit, "transit unknown"),
        **meanings(S.delivered, "delivered"),
        **meanings(S.exception, "failure"),
    },
)
