"""The prepared texts staff start from when they write to a shopper about a shipment in trouble:
one per kind of problem, in the shopper's language. Pure; staff edit the text before it goes.

Copy lives here, not in gettext catalogues, for the reason the notification copy does: each
text is one whole message a translator should see at once.
"""

from __future__ import annotations

from ordertrack.attention.rules import Kind

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        Kind.late: "I am sorry: your order {order} is taking longer than we promised. The carrier still has "
        "it and we are watching it closely. We will write again as soon as it moves; you can follow it on "
        "the tracking page at any time.",
        Kind.stalled: "Your order {order} has not had a carrier scan for a few days. This often happens "
        "between depots, but we have asked the carrier to check on it and will let you know what they say.",
        Kind.likely_lost: "I am sorry: the carrier has not seen your order {order} for a long time and it "
        "may have been lost. We have opened an investigation with them and will send a replacement or refund "
        "you if it does not turn up. We will keep you posted.",
        Kind.exception: "The carrier reported a problem with the delivery of your order {order}. We are "
        "sorting it out with them. If they need anything from you (for example a confirmed address), we "
        "will tell you right away.",
        Kind.not_picked_up: "Your order {order} is packed and labelled, but the carrier has not collected it "
        "yet. We are chasing them and will let you know as soon as it is on its way.",
        "low_rating": "Thank you for telling us how the delivery of your order {order} went, and I am sorry "
        "it let you down. We have looked at what happened on the way and want to put it right: just reply to "
        "this message and tell us what would help.",
        "address_issue": "The carrier could not deliver your order {order} because of a problem with the "
        "address. Could you reply with your full address, including any flat or unit number, so the "
        "parcel can continue?",
    },
    "es": {
        Kind.late: "Lo sentimos: tu pedido {order} está tardando más de lo prometido. El transportista "
        "todavía lo tiene y lo seguimos de cerca. Te escribiremos en cuanto avance; puedes seguirlo en la "
        "página de seguimiento en cualquier momento.",
        Kind.stalled: "Tu pedido {order} lleva unos días sin escaneos del transportista. Suele pasar entre "
        "centros de distribución, pero le hemos pedido al transportista que lo revise y te contaremos lo "
        "que nos digan.",
        Kind.likely_lost: "Lo sentimos: el transportista no ve tu pedido {order} desde hace mucho tiempo y "
        "podría haberse perdido. Hemos abierto una investigación con ellos y, si no aparece, te enviaremos "
        "un reemplazo o te devolveremos el dinero. Te mantendremos al tanto.",
        Kind.exception: "El transportista informó de un problema con la entrega de tu pedido {order}. Lo "
        "estamos resolviendo con ellos. Si necesitan algo de ti (por ejemplo, confirmar la dirección), te "
        "lo diremos enseguida.",
        Kind.not_picked_up: "Tu pedido {order} está embalado y etiquetado, pero el transportista aún no lo "
        "ha recogido. Los estamos presionando y te avisaremos en cuanto esté en camino.",
        "low_rating": "Gracias por contarnos cómo fue la entrega de tu pedido {order}, y lamento que no "
        "estuviera a la altura. Hemos revisado lo que pasó por el camino y queremos arreglarlo: responde a "
        "este mensaje y dinos qué te ayudaría.",
        "address_issue": "El transportista no pudo entregar tu pedido {order} por un problema con la "
        "dirección. ¿Puedes responder con tu dirección completa, incluido el número de piso o puerta, para "
        "que el paquete pueda continuar?",
    },
    "pt_BR": {
        Kind.late: "Sentimos muito: seu pedido {order} está demorando mais do que prometemos. A "
        "transportadora ainda está com ele e estamos acompanhando de perto. Escreveremos assim que ele "
        "avançar; você pode acompanhá-lo na página de rastreamento a qualquer momento.",
        Kind.stalled: "Seu pedido {order} está há alguns dias sem leitura da transportadora. Isso é comum "
        "entre centros de distribuição, mas pedimos à transportadora que verifique e avisaremos o que "
        "disserem.",
        Kind.likely_lost: "Sentimos muito: a transportadora não vê seu pedido {order} há muito tempo e ele "
        "pode ter se extraviado. Abrimos uma investigação com eles e, se ele não aparecer, enviaremos outro "
        "ou devolveremos o seu dinheiro. Manteremos você informado.",
        Kind.exception: "A transportadora informou um problema na entrega do seu pedido {order}. Estamos "
        "resolvendo com eles. Se precisarem de algo de você (por exemplo, confirmar o endereço), avisaremos "
        "na hora.",
        Kind.not_picked_up: "Seu pedido {order} está embalado e etiquetado, mas a transportadora ainda não "
        "o coletou. Estamos cobrando a coleta e avisaremos assim que ele estiver a caminho.",
        "low_rating": "Obrigado por nos contar como foi a entrega do seu pedido {order}, e sinto muito que "
        "ela tenha decepcionado. Vimos o que aconteceu no caminho e queremos resolver: é só responder a esta "
        "mensagem e dizer o que ajudaria.",
        "address_issue": "A transportadora não conseguiu entregar seu pedido {order} por um problema no "
        "endereço. Você pode responder com o endereço completo, incluindo número do apartamento ou "
        "complemento, para que a encomenda siga viagem?",
    },
}
LOCALES = tuple(_TEXTS)


def text_locale(locale: str | None) -> str:
    """The closest language we have a text in ("pt-BR" and "pt" read as pt_BR; anything else, English)."""
    wanted = (locale or "en").replace("-", "_").lower()
    for known in LOCALES:
        if wanted == known.lower() or wanted.split("_")[0] == known.split("_")[0].lower():
            return known
    return "en"


def prepared_message(kind: str, locale: str | None, order_number: str, *, detail: str = "") -> str:
    """The text for this kind of problem in the shopper's language; an exception about the
    address gets the address text."""
    texts = _TEXTS[text_locale(locale)]
    key: str = kind
    if kind == Kind.exception and "address" in detail.lower():
        key = "address_issue"
    return texts.get(key, texts[Kind.exception]).format(order=order_number)
