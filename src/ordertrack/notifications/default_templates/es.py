"""Spanish copy for the default notifications (SMS copy avoids á, í, ó, ú to stay GSM-7)."""

from __future__ import annotations

from ordertrack.notifications.default_templates.wording import Copy, Words
from ordertrack.notifications.message import Trigger

WORDS = Words(
    greeting_named="Hola, {{ shopper_name }}:",
    greeting="Hola:",
    estimate="Entrega estimada: {{ estimated_delivery|estimate(true) }}",
    tracking_number="Número de seguimiento",
    items="En este paquete",
    sign_off="Gracias por comprar en {{ store_name }}.",
    footer="Recibes este correo por tu pedido en {{ store_name }}.",
    unsubscribe="Dejar de recibir estas actualizaciones",
    staff_footer="Recibes esta alerta como miembro del equipo de {{ store_name }}.",
    manage="Gestionar alertas",
    sms_opt_out="Para no recibir SMS, responde STOP",
    supplier_footer="Recibe este correo porque {{ store_name }} le compra a {{ supplier }}.",
    supplier_unsubscribe="Dejar de recibir recordatorios",
    exception_advice={
        "address_issue": "El transportista no pudo entregar el pedido {{ order_number }} por un problema "
        "con la dirección. Ponte en contacto con {{ store_name }} para confirmar tu dirección y que el "
        "paquete siga su camino.",
        "damaged": "El transportista informa de que el paquete del pedido {{ order_number }} llegó dañado. "
        "{{ store_name }} se pondrá en contacto contigo para reponerlo; también puedes escribirles.",
        "lost": "El transportista informa de que el paquete del pedido {{ order_number }} se ha perdido. "
        "Escribe a {{ store_name }}: te enviarán otro o te devolverán el dinero.",
        "customs_hold": "El paquete del pedido {{ order_number }} está retenido en aduanas. El transportista "
        "puede pedirte documentos o el pago de impuestos; sigue sus instrucciones o escribe a "
        "{{ store_name }}.",
        "refused": "El paquete del pedido {{ order_number }} fue rechazado en la entrega y vuelve a "
        "{{ store_name }}. Si fue un error, ponte en contacto con la tienda.",
        "weather": "El mal tiempo está retrasando el pedido {{ order_number }}. No tienes que hacer nada: "
        "el transportista lo entregará en cuanto sea seguro.",
    },
    exception_other="El transportista ha informado de un problema con el pedido {{ order_number }}"
    "{% if description %}: «{{ description }}»{% endif %}. {{ store_name }} lo está revisando; "
    "escríbeles si tienes cualquier duda.",
    revision_causes={
        "picked_up": "Motivo: el transportista lo ha recogido y la fecha se cuenta ahora desde ese día.",
        "carrier_estimate": "Motivo: el transportista ha cambiado su propia estimación.",
        "customs_delay": "Motivo: está retenido en la aduana.",
        "exception": "Motivo: el transportista ha informado de un problema en el camino.",
        "missed_delivery": "Motivo: no se pudo entregar en el intento; el transportista lo volverá "
        "a intentar.",
        "out_for_delivery": "Motivo: está en reparto.",
        "running_late": "Motivo: está tardando más de lo previsto.",
        "stock_arrived": "Motivo: los artículos que faltaban ya están en stock.",
        "learned": "Motivo: las entregas recientes en esta ruta han tardado un tiempo distinto.",
        "waiting_for_stock": "Motivo: algunos artículos esperan stock; se enviarán cuando "
        "llegue a nuestro almacén.",
        "supplier_delay": "Motivo: el stock que esperan tus artículos llegará a "
        "nuestro almacén más tarde de lo previsto.",
        "supplier_confirmed": "Motivo: nuestro proveedor confirmó cuándo llega el stock "
        "que esperan tus artículos.",
    },
)

COPY = {
    Trigger.order_confirmed: Copy(
        subject="Pedido {{ order_number }} confirmado",
        headline="Gracias por tu pedido",
        body=(
            "Hemos confirmado el pedido {{ order_number }} en {{ store_name }} y ya lo estamos preparando. "
            "Te avisaremos en cuanto salga.",
        ),
        action="Ver tu pedido",
        sms="{{ store_name }}: pedido {{ order_number }} confirmado. Te avisaremos por SMS cuando salga. "
        "{{ tracking_url }}",
    ),
    Trigger.shipped: Copy(
        subject="Tu pedido {{ order_number }} va en camino",
        headline="Tu pedido va en camino",
        body=(
            "Buenas noticias: el pedido {{ order_number }} ha salido de {{ store_name }}"
            "{% if carrier %} con {{ carrier }}{% endif %}.",
            "Puedes seguir cada paso del envío en la página de seguimiento.",
        ),
        action="Seguir tu paquete",
        sms="{{ store_name }}: tu pedido {{ order_number }} va en camino"
        "{% if estimated_delivery %}, llega {{ estimated_delivery|estimate }}{% endif %}. "
        "Seguimiento: {{ tracking_url }}",
    ),
    Trigger.out_for_delivery: Copy(
        subject="Tu pedido {{ order_number }} llega hoy",
        headline="En reparto hoy",
        body=(
            "{% if carrier %}{{ carrier }} está repartiendo{% else %}El repartidor está entregando"
            "{% endif %} el pedido {{ order_number }}, que debería llegarte hoy.",
            "Si no hay nadie en casa, el transportista suele dejar un aviso o volver a intentarlo; "
            "la página de seguimiento tiene siempre lo último.",
        ),
        action="Seguir tu paquete",
        sms="{{ store_name }}: tu pedido {{ order_number }} sale a reparto y llega hoy. "
        "Seguimiento: {{ tracking_url }}",
    ),
    Trigger.available_for_pickup: Copy(
        subject="Pedido {{ order_number }} listo para recoger",
        headline="Listo para recoger",
        body=(
            "El paquete del pedido {{ order_number }} te espera"
            "{% if place %} en {{ place }}{% else %} en un punto de recogida; la dirección está en la página "
            "de seguimiento{% endif %}.",
            "Lleva un documento de identidad con foto y el número de seguimiento{% if shipment %} "
            "({{ shipment.tracking_number }}){% endif %}. Recógelo pronto: los paquetes que nadie recoge "
            "vuelven al remitente a los pocos días.",
        ),
        action="Ver detalles de recogida",
        sms="{{ store_name }}: tu pedido {{ order_number }} te espera"
        "{% if place %} en {{ place|truncate(60) }}{% endif %}. Lleva tu documento de identidad. "
        "Detalles: {{ tracking_url }}",
    ),
    Trigger.failed_attempt: Copy(
        subject="Intento de entrega del pedido {{ order_number }}",
        headline="Intentamos entregar tu paquete",
        body=(
            "{% if carrier %}{{ carrier }}{% else %}El transportista{% endif %} intentó entregar el pedido "
            "{{ order_number }}{% if when %} el {{ when|datetime }}{% endif %}, pero no pudo hacerlo."
            "{% if description %} Nota: «{{ description }}».{% endif %}",
            "Qué pasa ahora: normalmente el transportista vuelve a intentarlo el siguiente día hábil. En la "
            "página de seguimiento verás las opciones para cambiar la entrega o recoger el paquete.",
        ),
        action="Ver opciones de entrega",
        sms="{{ store_name }}: no pudimos entregar tu pedido {{ order_number }}. El transportista suele "
        "volver a intentarlo mañana. Opciones: {{ tracking_url }}",
    ),
    Trigger.delivered: Copy(
        subject="Tu pedido {{ order_number }} ha sido entregado",
        headline="Entregado",
        body=(
            "El pedido {{ order_number }} se entregó{% if place %} en {{ place }}{% endif %}"
            "{% if when %} el {{ when|datetime }}{% endif %}. ¡Esperamos que lo disfrutes!",
            "¿No lo encuentras? Revisa cerca de la puerta y pregunta a tus vecinos; después escribe a "
            "{{ store_name }} y lo resolvemos.",
        ),
        action="Ver detalles de la entrega",
        sms="{{ store_name }}: tu pedido {{ order_number }} ha sido entregado. Si algo no va bien, "
        "contacta con nosotros. Detalles: {{ tracking_url }}",
    ),
    Trigger.exception: Copy(
        subject="Hay un problema con el pedido {{ order_number }}",
        headline="Hay un problema con tu entrega",
        body=(),
        action="Ver la última actualización",
        sms="{{ store_name }}: hay un problema con la entrega del pedido {{ order_number }}."
        "{% if reason == 'address_issue' %} Contacta con nosotros para confirmar tus datos de entrega."
        "{% elif reason in ('damaged', 'lost') %} Te contactaremos para reponerlo."
        "{% elif reason == 'customs_hold' %} Lo retuvo la aduana.{% endif %} "
        "Detalles: {{ tracking_url }}",
    ),
    Trigger.delivery_revised: Copy(
        subject="Nueva fecha de entrega del pedido {{ order_number }}",
        headline="Ha cambiado la fecha de entrega",
        body=(
            "{% if estimated_delivery %}La nueva entrega estimada del pedido {{ order_number }} es "
            "{{ estimated_delivery|estimate(true) }}{% if previous_estimate %} (antes: "
            "{{ previous_estimate|estimate(true) }}){% endif %}.{% else %}El pedido {{ order_number }} "
            "va con retraso y todavía no tenemos una nueva fecha.{% endif %}",
            "Disculpa la espera. La página de seguimiento siempre tiene la información más reciente.",
        ),
        action="Seguir tu paquete",
        sms="{{ store_name }}: nueva fecha de entrega del pedido {{ order_number }}"
        "{% if estimated_delivery %}: {{ estimated_delivery|estimate }}{% else %}: con retraso{% endif %}. "
        "Seguimiento: {{ tracking_url }}",
    ),
    Trigger.low_stock: Copy(
        subject="Stock bajo: {{ sku }} en {{ warehouse }}",
        headline="Stock bajo",
        body=(
            "{% if available == 1 %}Solo queda 1 unidad disponible{% else %}Solo quedan {{ available }} "
            "unidades disponibles{% endif %} de {{ sku }} en el almacén {{ warehouse }}.",
            "Repón o traslada stock pronto para que los nuevos pedidos no se retrasen.",
        ),
        action="Abrir el panel",
    ),
    Trigger.needs_attention: Copy(
        subject="El pedido {{ order_number }} necesita atención",
        headline="Un envío necesita atención",
        body=(
            "{% if shipment %}El envío {{ shipment.tracking_number }} ({{ carrier }}) del pedido "
            "{{ order_number }}{% else %}El pedido {{ order_number }}{% endif %} necesita atención"
            "{% if alert %}: {{ alert }}{% elif event %}: {{ description or event.status|replace('_', ' ') }}"
            "{% if reason %} ({{ reason|replace('_', ' ') }}){% endif %}{% endif %}"
            "{% if when %}. Última actualización: {{ when|datetime }}{% endif %}.",
            "Revisa los últimos escaneos del transportista y contacta con el cliente si hace falta.",
        ),
        action="Abrir el pedido",
    ),
    Trigger.inbound_late: Copy(
        subject="La entrada {{ inbound_shipment }} de {{ supplier }} necesita atención",
        headline="Un envío de un proveedor necesita atención",
        body=(
            "El envío {{ inbound_shipment }} (orden de compra {{ purchase_order }}) de {{ supplier }}"
            "{% if alert %}: {{ alert }}{% else %} necesita atención{% endif %}.",
            "Pregunta al proveedor o al transportista dónde está; los pedidos de clientes que lo "
            "esperan reciben sus nuevas fechas solos.",
        ),
        action="Abrir la orden de compra",
    ),
    Trigger.shopper_message: Copy(
        subject="Sobre tu pedido {{ order_number }}",
        headline="Un mensaje sobre tu pedido",
        body=("{{ message }}",),
        action="Seguir tu paquete",
        sms="{{ store_name }}, pedido {{ order_number }}: {{ message }} {{ tracking_url }}",
    ),
    Trigger.purchase_order_sent: Copy(
        subject="Pedido de compra {{ purchase_order }} de {{ store_name }}",
        headline="Un nuevo pedido de compra",
        body=(
            "{{ store_name }} le envía el pedido de compra {{ purchase_order }}: {% for line in lines %}"
            "{{ line.quantity }} × {{ line.sku }}{% if line.supplier_sku %} (su {{ line.supplier_sku }})"
            "{% endif %}{% if not loop.last %}; {% endif %}{% endfor %}.",
            ("ship_to", "Entregar en: {{ ship_to }}."),
            ("promised_date", "Fecha de envío solicitada: {{ promised_date|date }}."),
            "Abra el pedido para confirmarlo o cambiar cantidades y fechas, y para registrar cada envío "
            "con sus números de seguimiento. No necesita una cuenta: el enlace es solo para este pedido.",
        ),
        action="Abrir el pedido de compra",
    ),
    Trigger.supplier_reminder: Copy(
        subject="Pedido de compra {{ purchase_order }}: ¿ya se envió?",
        headline="¿Se envió el pedido?",
        body=(
            "El pedido de compra {{ purchase_order }} de {{ store_name }} debía enviarse el "
            "{{ promised_date|date }} y todavía no se ha declarado ningún envío.",
            "Si ya salió, registre el envío con sus números de seguimiento; si saldrá más tarde, indique "
            "la nueva fecha. Cualquiera de las dos cosas lleva un minuto en la página del pedido.",
        ),
        action="Abrir el pedido de compra",
    ),
    Trigger.rating_request: Copy(
        subject="¿Qué tal fue la entrega del pedido {{ order_number }}?",
        headline="¿Qué tal fue tu entrega?",
        body=(
            "El pedido {{ order_number }} de {{ store_name }} fue entregado. Cuéntanos cómo fue: "
            "de una a cinco estrellas, y unas palabras si quieres. Es un momento.",
            "Puedes cambiar tu valoración durante 14 días.",
        ),
        action="Valorar la entrega",
        sms="{{ store_name }}: que tal la entrega del pedido {{ order_number }}? Valorala en un momento: "
        "{{ tracking_url }}",
    ),
    Trigger.rating_created: Copy(
        subject="El pedido {{ order_number }} fue valorado",
        headline="Se valoró una entrega",
        body=("Un cliente valoró la entrega del pedido {{ order_number }}.",),
        action="Abrir el pedido",
    ),
    Trigger.rating_updated: Copy(
        subject="Cambió la valoración del pedido {{ order_number }}",
        headline="Cambió una valoración de entrega",
        body=("Un cliente cambió su valoración de la entrega del pedido {{ order_number }}.",),
        action="Abrir el pedido",
    ),
}
