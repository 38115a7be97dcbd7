"""Brazilian Portuguese copy for the default notifications (SMS copy avoids ã, ç, é... to stay GSM-7)."""

from __future__ import annotations

from ordertrack.notifications.default_templates.wording import Copy, Words
from ordertrack.notifications.message import Trigger

WORDS = Words(
    greeting_named="Olá, {{ shopper_name }}!",
    greeting="Olá!",
    estimate="Previsão de entrega: {{ estimated_delivery|estimate(true) }}",
    tracking_number="Código de rastreio",
    items="Neste pacote",
    sign_off="Obrigado por comprar na {{ store_name }}.",
    footer="Você está recebendo este e-mail sobre o seu pedido na {{ store_name }}.",
    unsubscribe="Não quero mais receber estas atualizações",
    staff_footer="Você recebe este alerta como membro da equipe {{ store_name }}.",
    manage="Gerenciar alertas",
    sms_opt_out="Responda STOP para sair",
    supplier_footer="Você recebe este e-mail porque {{ store_name }} compra de {{ supplier }}.",
    supplier_unsubscribe="Parar os lembretes",
    exception_advice={
        "address_issue": "A transportadora não conseguiu entregar o pedido {{ order_number }} por um "
        "problema no endereço. Entre em contato com a {{ store_name }} para confirmar o seu endereço e "
        "o pacote seguir viagem.",
        "damaged": "A transportadora informou que o pacote do pedido {{ order_number }} foi danificado. "
        "A {{ store_name }} vai entrar em contato sobre a troca; se preferir, fale com a loja.",
        "lost": "A transportadora informou que o pacote do pedido {{ order_number }} foi extraviado. "
        "Fale com a {{ store_name }}: a loja vai enviar outro ou devolver o seu dinheiro.",
        "customs_hold": "O pacote do pedido {{ order_number }} está retido na alfândega. A transportadora "
        "pode pedir documentos ou o pagamento de impostos; siga as instruções dela ou fale com a "
        "{{ store_name }}.",
        "refused": "O pacote do pedido {{ order_number }} foi recusado na entrega e está voltando para a "
        "{{ store_name }}. Se foi um engano, entre em contato com a loja.",
        "weather": "O mau tempo está atrasando o pedido {{ order_number }}. Você não precisa fazer nada: "
        "a transportadora fará a entrega assim que for seguro.",
    },
    exception_other="A transportadora informou um problema com o pedido {{ order_number }}"
    "{% if description %}: “{{ description }}”{% endif %}. A {{ store_name }} está verificando; "
    "fale com a loja se tiver dúvidas.",
    revision_causes={
        "picked_up": "Motivo: a transportadora coletou a encomenda, e a data agora é contada a partir "
        "desse dia.",
        "carrier_estimate": "Motivo: a transportadora mudou a própria estimativa.",
        "customs_delay": "Motivo: a encomenda está retida na alfândega.",
        "exception": "Motivo: a transportadora informou um problema no caminho.",
        "missed_delivery": "Motivo: uma tentativa de entrega não deu certo; a transportadora vai "
        "tentar de novo.",
        "out_for_delivery": "Motivo: a encomenda saiu para entrega.",
        "running_late": "Motivo: está demorando mais do que o previsto.",
        "stock_arrived": "Motivo: os itens que faltavam chegaram ao estoque.",
        "learned": "Motivo: as entregas recentes nesta rota levaram um tempo diferente.",
        "waiting_for_stock": "Motivo: alguns itens aguardam estoque; serão enviados "
        "quando ele chegar ao nosso armazém.",
        "supplier_delay": "Motivo: o estoque que seus itens aguardam chegará ao nosso "
        "armazém mais tarde do que o previsto.",
        "supplier_confirmed": "Motivo: nosso fornecedor confirmou quando chega o estoque "
        "que seus itens aguardam.",
    },
)

COPY = {
    Trigger.order_confirmed: Copy(
        subject="Pedido {{ order_number }} confirmado",
        headline="Obrigado pelo seu pedido",
        body=(
            "Confirmamos o pedido {{ order_number }} na {{ store_name }} e já estamos preparando tudo. "
            "Avisaremos assim que ele for enviado.",
        ),
        action="Ver o seu pedido",
        sms="{{ store_name }}: pedido {{ order_number }} confirmado. Avisaremos por SMS quando for "
        "enviado. {{ tracking_url }}",
    ),
    Trigger.shipped: Copy(
        subject="Seu pedido {{ order_number }} está a caminho",
        headline="Seu pedido está a caminho",
        body=(
            "Boa notícia: o pedido {{ order_number }} saiu da {{ store_name }}"
            "{% if carrier %} com a {{ carrier }}{% endif %}.",
            "Acompanhe cada etapa da entrega na página de rastreamento.",
        ),
        action="Rastrear o pacote",
        sms="{{ store_name }}: seu pedido {{ order_number }} foi enviado"
        "{% if estimated_delivery %} (entrega prevista: {{ estimated_delivery|estimate }}){% endif %}. "
        "Acompanhe: {{ tracking_url }}",
    ),
    Trigger.out_for_delivery: Copy(
        subject="Seu pedido {{ order_number }} chega hoje",
        headline="Saiu para entrega",
        body=(
            "{% if carrier %}A {{ carrier }} saiu{% else %}O entregador saiu{% endif %} para entregar o "
            "pedido {{ order_number }}, que deve chegar hoje.",
            "Se não houver ninguém em casa, a transportadora costuma deixar um aviso ou tentar de novo; "
            "a página de rastreamento mostra as novidades.",
        ),
        action="Rastrear o pacote",
        sms="{{ store_name }}: seu pedido {{ order_number }} saiu para entrega e deve chegar hoje. "
        "Acompanhe: {{ tracking_url }}",
    ),
    Trigger.available_for_pickup: Copy(
        subject="Pedido {{ order_number }} pronto para retirada",
        headline="Pronto para retirada",
        body=(
            "O pacote do pedido {{ order_number }} está esperando por você"
            "{% if place %} em {{ place }}{% else %} em um ponto de retirada; o endereço está na página de "
            "rastreamento{% endif %}.",
            "Leve um documento com foto e o código de rastreio{% if shipment %} "
            "({{ shipment.tracking_number }}){% endif %}. Retire logo: pacotes não retirados voltam ao "
            "remetente depois de alguns dias.",
        ),
        action="Ver detalhes da retirada",
        sms="{{ store_name }}: seu pedido {{ order_number }} aguarda retirada"
        "{% if place %} em {{ place|truncate(60) }}{% endif %}. Leve documento com foto. "
        "Detalhes: {{ tracking_url }}",
    ),
    Trigger.failed_attempt: Copy(
        subject="Tentativa de entrega do pedido {{ order_number }}",
        headline="Tentamos entregar o seu pacote",
        body=(
            "{% if carrier %}A {{ carrier }}{% else %}A transportadora{% endif %} tentou entregar o pedido "
            "{{ order_number }}{% if when %} em {{ when|datetime }}{% endif %}, mas não conseguiu."
            "{% if description %} Observação: “{{ description }}”.{% endif %}",
            "O que acontece agora: normalmente a transportadora tenta de novo no próximo dia útil. Na "
            "página de rastreamento você vê as opções para reagendar a entrega ou retirar o pacote.",
        ),
        action="Ver opções de entrega",
        sms="{{ store_name }}: tentativa de entrega do pedido {{ order_number }} sem sucesso. Em geral a "
        "transportadora tenta outra vez no dia seguinte. Veja: {{ tracking_url }}",
    ),
    Trigger.delivered: Copy(
        subject="Seu pedido {{ order_number }} foi entregue",
        headline="Entregue",
        body=(
            "O pedido {{ order_number }} foi entregue{% if place %} em {{ place }}{% endif %}"
            "{% if when %} ({{ when|datetime }}){% endif %}. Esperamos que você goste!",
            "Não encontrou? Procure perto da porta e pergunte aos vizinhos; depois fale com a "
            "{{ store_name }} que a gente resolve.",
        ),
        action="Ver detalhes da entrega",
        sms="{{ store_name }}: seu pedido {{ order_number }} foi entregue. Se algo estiver errado, fale "
        "com a gente. Detalhes: {{ tracking_url }}",
    ),
    Trigger.exception: Copy(
        subject="Pode ser preciso agir: pedido {{ order_number }}",
        headline="Há um problema com a sua entrega",
        body=(),
        action="Ver a última atualização",
        sms="{{ store_name }}: houve um problema na entrega do pedido {{ order_number }}."
        "{% if reason == 'address_issue' %} Fale com a gente para confirmar o local de entrega."
        "{% elif reason in ('damaged', 'lost') %} Vamos entrar em contato sobre a troca."
        "{% elif reason == 'customs_hold' %} O pacote foi retido pela Receita Federal.{% endif %} "
        "Detalhes: {{ tracking_url }}",
    ),
    Trigger.delivery_revised: Copy(
        subject="Nova data de entrega do pedido {{ order_number }}",
        headline="A data de entrega mudou",
        body=(
            "{% if estimated_delivery %}Nova previsão de entrega do pedido {{ order_number }}: "
            "{{ estimated_delivery|estimate(true) }}{% if previous_estimate %} (antes: "
            "{{ previous_estimate|estimate(true) }}){% endif %}{% else %}O pedido {{ order_number }} está "
            "atrasado e ainda não temos uma nova data.{% endif %}",
            "Pedimos desculpas pela espera. A página de rastreamento sempre mostra as últimas informações.",
        ),
        action="Rastrear o pacote",
        sms="{{ store_name }}: o pedido {{ order_number }} tem nova data de entrega"
        "{% if estimated_delivery %} ({{ estimated_delivery|estimate }}){% else %} (com atraso){% endif %}. "
        "Acompanhe: {{ tracking_url }}",
    ),
    Trigger.low_stock: Copy(
        subject="Estoque baixo: {{ sku }} em {{ warehouse }}",
        headline="Estoque baixo",
        body=(
            "{% if available == 1 %}Resta apenas 1 unidade disponível{% else %}Restam apenas {{ available }} "
            "unidades disponíveis{% endif %} de {{ sku }} no depósito {{ warehouse }}.",
            "Reponha ou transfira estoque em breve para não atrasar novos pedidos.",
        ),
        action="Abrir o painel",
    ),
    Trigger.needs_attention: Copy(
        subject="O pedido {{ order_number }} precisa de atenção",
        headline="Um envio precisa de atenção",
        body=(
            "{% if shipment %}O envio {{ shipment.tracking_number }} ({{ carrier }}) do pedido "
            "{{ order_number }}{% else %}O pedido {{ order_number }}{% endif %} precisa de atenção"
            "{% if alert %}: {{ alert }}{% elif event %}: {{ description or event.status|replace('_', ' ') }}"
            "{% if reason %} ({{ reason|replace('_', ' ') }}){% endif %}{% endif %}"
            "{% if when %}. Última atualização: {{ when|datetime }}{% endif %}.",
            "Confira os últimos eventos da transportadora e fale com o cliente se for preciso.",
        ),
        action="Abrir o pedido",
    ),
    Trigger.inbound_late: Copy(
        subject="A entrada {{ inbound_shipment }} de {{ supplier }} precisa de atenção",
        headline="Um envio de fornecedor precisa de atenção",
        body=(
            "O envio {{ inbound_shipment }} (pedido de compra {{ purchase_order }}) de {{ supplier }}"
            "{% if alert %}: {{ alert }}{% else %} precisa de atenção{% endif %}.",
            "Pergunte ao fornecedor ou à transportadora onde ele está; os pedidos de clientes que o "
            "aguardam recebem as novas datas sozinhos.",
        ),
        action="Abrir o pedido de compra",
    ),
    Trigger.shopper_message: Copy(
        subject="Sobre o seu pedido {{ order_number }}",
        headline="Uma mensagem sobre o seu pedido",
        body=("{{ message }}",),
        action="Acompanhar sua encomenda",
        sms="{{ store_name }}, pedido {{ order_number }}: {{ message }} {{ tracking_url }}",
    ),
    Trigger.purchase_order_sent: Copy(
        subject="Pedido de compra {{ purchase_order }} de {{ store_name }}",
        headline="Um novo pedido de compra",
        body=(
            "{{ store_name }} envia a você o pedido de compra {{ purchase_order }}: {% for line in lines %}"
            "{{ line.quantity }} × {{ line.sku }}{% if line.supplier_sku %} (seu {{ line.supplier_sku }})"
            "{% endif %}{% if not loop.last %}; {% endif %}{% endfor %}.",
            ("ship_to", "Entregar em: {{ ship_to }}."),
            ("promised_date", "Data de envio solicitada: {{ promised_date|date }}."),
            "Abra o pedido para aceitá-lo ou alterar quantidades e datas, e para registrar cada envio "
            "com seus códigos de rastreamento. Não é preciso ter conta: este endereço abre só este pedido.",
        ),
        action="Abrir o pedido de compra",
    ),
    Trigger.supplier_reminder: Copy(
        subject="Pedido de compra {{ purchase_order }}: já foi enviado?",
        headline="O pedido já foi enviado?",
        body=(
            "O pedido de compra {{ purchase_order }} de {{ store_name }} tinha envio prometido para "
            "{{ promised_date|date }} e nenhum envio foi declarado ainda.",
            "Se já saiu, registre o envio com os códigos de rastreamento; se vai sair mais tarde, informe "
            "a nova data. As duas coisas levam um minuto na página do pedido.",
        ),
        action="Abrir o pedido de compra",
    ),
    Trigger.rating_request: Copy(
        subject="Como foi a entrega do pedido {{ order_number }}?",
        headline="Como foi a sua entrega?",
        body=(
            "O pedido {{ order_number }} de {{ store_name }} foi entregue. Conte como foi: "
            "de uma a cinco estrelas, e algumas palavras se quiser. Leva um instante.",
            "Você pode mudar a sua avaliação por 14 dias.",
        ),
        action="Avaliar a entrega",
        sms="{{ store_name }}: como foi a entrega do pedido {{ order_number }}? Avalie em um instante: "
        "{{ tracking_url }}",
    ),
    Trigger.rating_created: Copy(
        subject="O pedido {{ order_number }} foi avaliado",
        headline="Uma entrega foi avaliada",
        body=("Um cliente avaliou a entrega do pedido {{ order_number }}.",),
        action="Abrir o pedido",
    ),
    Trigger.rating_updated: Copy(
        subject="A avaliação do pedido {{ order_number }} mudou",
        headline="Uma avaliação de entrega mudou",
        body=("Um cliente mudou a avaliação da entrega do pedido {{ order_number }}.",),
        action="Abrir o pedido",
    ),
}
