"""DHL Express checkpoint codes (``ServiceEvent/EventCode``) onto ordertrack's statuses.

Source: the DHL Express reference data's checkpoint code list (XML Services "Tracking" reference
document, Appendix "Checkpoint codes"; the same list ships with the MyDHL API reference data guide),
as quoted in public DHL integration notes, e.g. "AF Arrived facility, AR Arrival in delivery
facility, BA Bad address, CA Closed on arrival, CC Awaiting cnee collection, ... WC With
delivering courier". ``PO`` is not in that list; DHL's own description on it is "Departing origin".
``RW`` (seen without a description) is left out: unknown codes fall back to ``in_transit``.
"""

from __future__ import annotations

from ordertrack.carriers.codes import CodeTable, meanings
from ordertrack.statuses import EventStatus as S

DHL_EXPRESS_CODES = CodeTable(
    carrier="dhl_express",
    codes={
        # SD shipment information received; EM electronic data merge (data only, nothing moved).
        **meanings(S.info_received, "SD EM"),
        # Pick-up, acceptance, hub and line-haul checkpoints, and the clearance steps that do not
        # stop the shipment (IC in clearance processing, CR clearance release, BR broker release,
        # BN customer broker notified, PY payment received, RR response received).
        **meanings(S.in_transit, "PU SA PO PL DF AF AR TR SM FD SC IC CR BR BN PY RR AD"),
        **meanings(S.out_for_delivery, "WC"),
        **meanings(S.delivered, "OK"),
        # PD partial delivery: some pieces delivered, the rest still moving.
        **meanings(S.in_transit, "PD", "partially_delivered"),
        **meanings(S.available_for_pickup, "CC"),
        **meanings(S.failed_attempt, "NH", "recipient_unavailable"),
        **meanings(S.failed_attempt, "CA", "business_closed"),
        # MD missed delivery cycle, ND not delivered: no attempt reached the door.
        **meanings(S.exception, "MD ND", "delayed"),
        **meanings(S.exception, "BA CM", "address_issue"),
        **meanings(S.exception, "RD", "refused"),
        **meanings(S.exception, "DD", "damaged"),
        **meanings(S.exception, "HP", "payment_required"),
        **meanings(S.exception, "CD UD", "customs_hold"),
        **meanings(S.exception, "OH SS", "held_at_carrier"),
        # MS mis-sort, MC miscode: rerouted, late.
        **meanings(S.exception, "MS MC", "delayed"),
        **meanings(S.exception, "DS", "destroyed"),
        # TP forwarded to a third party for the last mile, no delivery details to follow.
        **meanings(S.in_transit, "TP", "forwarded_to_third_party"),
        # RT returned to consignor: the return starts here; it travels back on this waybill.
        **meanings(S.returning, "RT", "returned_to_sender"),
    },
)
