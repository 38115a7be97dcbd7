"""English copy for the default notifications."""

from __future__ import annotations

from ordertrack.notifications.default_templates.wording import Copy, Words
from ordertrack.notifications.message import Trigger

WORDS = Words(
    greeting_named="Hi {{ shopper_name }},",
    greeting="Hello,",
    estimate="Estimated delivery: {{ estimated_delivery|estimate(true) }}",
    tracking_number="Tracking number",
    items="In this parcel",
    sign_off="Thank you for shopping with {{ store_name }}.",
    footer="You are receiving this email about your order from {{ store_name }}.",
    unsubscribe="Unsubscribe from delivery updates",
    staff_footer="You receive this alert as a member of the {{ store_name }} team.",
    manage="Manage alerts",
    sms_opt_out="Reply STOP to opt out",
    supplier_footer="You receive this email because {{ store_name }} orders from {{ supplier }}.",
    supplier_unsubscribe="Stop reminders",
    exception_advice={
        "address_issue": "The carrier could not deliver order {{ order_number }} because of a problem with "
        "the address. Please contact {{ store_name }} to confirm your address so the parcel can continue.",
        "damaged": "The carrier reports that the parcel for order {{ order_number }} was damaged. "
        "{{ store_name }} will be in touch about a replacement; you can also contact them directly.",
        "lost": "The carrier reports that the parcel for order {{ order_number }} has been lost. "
        "Please contact {{ store_name }}: they will send a replacement or refund you.",
        "customs_hold": "The parcel for order {{ order_number }} is being held at customs. The carrier may "
        "ask you for documents or import duties; follow their instructions, or contact {{ store_name }}.",
        "refused": "The parcel for order {{ order_number }} was refused at delivery and is going back to "
        "{{ store_name }}. If that was a mistake, please contact them.",
        "weather": "Severe weather is delaying order {{ order_number }}. There is nothing you need to do: "
        "the carrier will deliver as soon as it is safe.",
    },
    exception_other="The carrier reported a problem with order {{ order_number }}"
    "{% if description %}: “{{ description }}”{% endif %}. {{ store_name }} is looking into it; "
    "contact them if you have any questions.",
    revision_causes={
        "picked_up": "Why: the carrier picked it up, and the date is now counted from that day.",
        "carrier_estimate": "Why: the carrier changed its own estimate.",
        "customs_delay": "Why: it is being held at customs.",
        "exception": "Why: the carrier reported a problem on the way.",
        "missed_delivery": "Why: a delivery attempt was missed; the carrier will try again.",
        "out_for_delivery": "Why: it is out for delivery.",
        "running_late": "Why: it is taking longer than expected.",
        "stock_arrived": "Why: the missing items came into stock.",
        "learned": "Why: recent deliveries on this route took a different time.",
        "waiting_for_stock": "Why: some items are waiting for stock; they ship once it "
        "arrives at our warehouse.",
        "supplier_delay": "Why: the stock your items wait for will reach our warehouse later than expected.",
        "supplier_confirmed": "Why: our supplier confirmed when the stock your items wait for arrives.",
    },
)

COPY = {
    Trigger.order_confirmed: Copy(
        subject="Order {{ order_number }} is confirmed",
        headline="Thank you for your order",
        body=(
            "We have confirmed order {{ order_number }} at {{ store_name }} and are getting it ready. "
            "We will let you know as soon as it ships.",
        ),
        action="View your order",
        sms="{{ store_name }}: order {{ order_number }} is confirmed. We will text you when it ships. "
        "{{ tracking_url }}",
    ),
    Trigger.shipped: Copy(
        subject="Your order {{ order_number }} is on its way",
        headline="Your order is on its way",
        body=(
            "Good news: order {{ order_number }} has left {{ store_name }}"
            "{% if carrier %} with {{ carrier }}{% endif %}.",
            "You can follow every step of the journey on the tracking page.",
        ),
        action="Track your parcel",
        sms="{{ store_name }}: order {{ order_number }} has shipped"
        "{% if estimated_delivery %}, expected {{ estimated_delivery|estimate }}{% endif %}. "
        "Track it: {{ tracking_url }}",
    ),
    Trigger.out_for_delivery: Copy(
        subject="Your order {{ order_number }} arrives today",
        headline="Out for delivery today",
        body=(
            "{% if carrier %}{{ carrier }} is{% else %}The driver is{% endif %} out delivering order "
            "{{ order_number }}, and it should reach you today.",
            "If nobody is home, the carrier will usually leave a note or try again; "
            "the tracking page always has the latest.",
        ),
        action="Track your parcel",
        sms="{{ store_name }}: order {{ order_number }} is out for delivery and should arrive today. "
        "Track it: {{ tracking_url }}",
    ),
    Trigger.available_for_pickup: Copy(
        subject="Order {{ order_number }} is ready for pickup",
        headline="Ready for pickup",
        body=(
            "Your parcel for order {{ order_number }} is waiting for you"
            "{% if place %} at {{ place }}{% else %} at a pickup point; the tracking page shows the "
            "address{% endif %}.",
            "Bring a photo ID and your tracking number{% if shipment %} ({{ shipment.tracking_number }})"
            "{% endif %}. Please collect it soon: uncollected parcels go back to the sender "
            "after a few days.",
        ),
        action="See pickup details",
        sms="{{ store_name }}: order {{ order_number }} is ready for pickup"
        "{% if place %} at {{ place|truncate(60) }}{% endif %}. Bring photo ID. Details: {{ tracking_url }}",
    ),
    Trigger.failed_attempt: Copy(
        subject="We missed you: delivery attempt for order {{ order_number }}",
        headline="We tried to deliver your parcel",
        body=(
            "{% if carrier %}{{ carrier }}{% else %}The carrier{% endif %} tried to deliver order "
            "{{ order_number }}{% if when %} on {{ when|datetime }}{% endif %} but could not hand it over."
            "{% if description %} Their note: “{{ description }}”.{% endif %}",
            "What happens next: the carrier usually tries again on the next business day. The tracking page "
            "shows your options to reschedule the delivery or collect the parcel.",
        ),
        action="See delivery options",
        sms="{{ store_name }}: we could not deliver order {{ order_number }}. The carrier usually tries "
        "again the next business day. Options: {{ tracking_url }}",
    ),
    Trigger.delivered: Copy(
        subject="Your order {{ order_number }} has been delivered",
        headline="Delivered",
        body=(
            "Order {{ order_number }} was delivered{% if place %} in {{ place }}{% endif %}"
            "{% if when %} on {{ when|datetime }}{% endif %}. We hope you enjoy it!",
            "Can't find it? Check around your door and with your neighbours, then contact {{ store_name }} "
            "and we will sort it out.",
        ),
        action="View delivery details",
        sms="{{ store_name }}: order {{ order_number }} has been delivered. If anything is wrong, "
        "just contact us. Details: {{ tracking_url }}",
    ),
    Trigger.exception: Copy(
        subject="Action may be needed for order {{ order_number }}",
        headline="There is a problem with your delivery",
        body=(),  # the reason-specific advice comes first, from WORDS.exception_advice
        action="See the latest update",
        sms="{{ store_name }}: there is a problem with the delivery of order {{ order_number }}."
        "{% if reason == 'address_issue' %} Please contact us to confirm your address."
        "{% elif reason in ('damaged', 'lost') %} We will contact you about a replacement."
        "{% elif reason == 'customs_hold' %} It is being held at customs.{% endif %} "
        "Details: {{ tracking_url }}",
    ),
    Trigger.delivery_revised: Copy(
        subject="New delivery date for order {{ order_number }}",
        headline="Your delivery date has changed",
        body=(
            "{% if estimated_delivery %}The new estimated delivery for order {{ order_number }} is "
            "{{ estimated_delivery|estimate(true) }}{% if previous_estimate %} (previously "
            "{{ previous_estimate|estimate(true) }}){% endif %}.{% else %}Order {{ order_number }} is "
            "running late and we do not have a new date yet.{% endif %}",
            "We are sorry for the wait. The tracking page always has the latest information.",
        ),
        action="Track your parcel",
        sms="{{ store_name }}: new delivery date for order {{ order_number }}"
        "{% if estimated_delivery %}: {{ estimated_delivery|estimate }}{% else %}: running late"
        "{% endif %}. Track it: {{ tracking_url }}",
    ),
    Trigger.low_stock: Copy(
        subject="Low stock: {{ sku }} at {{ warehouse }}",
        headline="Low stock",
        body=(
            "Only {{ available }} {% if available == 1 %}unit{% else %}units{% endif %} of {{ sku }} "
            "{% if available == 1 %}is{% else %}are{% endif %} available at warehouse {{ warehouse }}.",
            "Restock or move stock soon so new orders are not held up.",
        ),
        action="Open the dashboard",
    ),
    Trigger.needs_attention: Copy(
        subject="Order {{ order_number }} needs attention",
        headline="A shipment needs attention",
        body=(
            "{% if shipment %}Shipment {{ shipment.tracking_number }} ({{ carrier }}) for order "
            "{{ order_number }}{% else %}Order {{ order_number }}{% endif %} needs attention"
            "{% if alert %}: {{ alert }}{% elif event %}: {{ description or event.status|replace('_', ' ') }}"
            "{% if reason %} ({{ reason|replace('_', ' ') }}){% endif %}{% endif %}"
            "{% if when %}. Last update: {{ when|datetime }}{% endif %}.",
            "Check the carrier's latest scans and contact the shopper if needed.",
        ),
        action="Open the order",
    ),
    Trigger.inbound_late: Copy(
        subject="Inbound {{ inbound_shipment }} from {{ supplier }} needs attention",
        headline="An inbound shipment needs attention",
        body=(
            "Inbound shipment {{ inbound_shipment }} (purchase order {{ purchase_order }}) "
            "from {{ supplier }}"
            "{% if alert %}: {{ alert }}{% else %} needs attention{% endif %}.",
            "Ask the supplier or the carrier where it is; the customer orders waiting for it get "
            "their new dates on their own.",
        ),
        action="Open the purchase order",
    ),
    Trigger.shopper_message: Copy(
        subject="About your order {{ order_number }}",
        headline="A message about your order",
        body=("{{ message }}",),
        action="Track your parcel",
        sms="{{ store_name }}, order {{ order_number }}: {{ message }} {{ tracking_url }}",
    ),
    Trigger.purchase_order_sent: Copy(
        subject="Purchase order {{ purchase_order }} from {{ store_name }}",
        headline="A new purchase order",
        body=(
            "{{ store_name }} sends you purchase order {{ purchase_order }}: {% for line in lines %}"
            "{{ line.quantity }} × {{ line.sku }}{% if line.supplier_sku %} (your {{ line.supplier_sku }})"
            "{% endif %}{% if not loop.last %}; {% endif %}{% endfor %}.",
            ("ship_to", "Deliver to: {{ ship_to }}."),
            ("promised_date", "Requested ship date: {{ promised_date|date }}."),
            "Open the order to confirm it or change quantities and dates, and to declare each shipment "
            "with its tracking numbers. No account is needed: the link is for this order only.",
        ),
        action="Open the purchase order",
    ),
    Trigger.supplier_reminder: Copy(
        subject="Purchase order {{ purchase_order }}: has it shipped?",
        headline="Has the order shipped?",
        body=(
            "Purchase order {{ purchase_order }} from {{ store_name }} was promised to ship on "
            "{{ promised_date|date }}, and no shipment has been declared yet.",
            "If it has left, declare the shipment with its tracking numbers; if it will leave later, "
            "give the new date. Either takes a minute on the order's page.",
        ),
        action="Open the purchase order",
    ),
    Trigger.rating_request: Copy(
        subject="How was the delivery of order {{ order_number }}?",
        headline="How was your delivery?",
        body=(
            "Order {{ order_number }} from {{ store_name }} was delivered. Tell us how it went: "
            "one to five stars, and a few words if you like. It takes a moment.",
            "You can change your rating for 14 days.",
        ),
        action="Rate the delivery",
        sms="{{ store_name }}: how was the delivery of order {{ order_number }}? Rate it in a moment: "
        "{{ tracking_url }}",
    ),
    Trigger.rating_created: Copy(
        subject="Order {{ order_number }} was rated",
        headline="A delivery was rated",
        body=("A shopper rated the delivery of order {{ order_number }}.",),
        action="Open the order",
    ),
    Trigger.rating_updated: Copy(
        subject="The rating of order {{ order_number }} changed",
        headline="A delivery rating changed",
        body=("A shopper changed their rating of the delivery of order {{ order_number }}.",),
        action="Open the order",
    ),
}
