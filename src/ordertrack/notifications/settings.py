"""A merchant's own message templates: save, read, reset, and preview against a real order."""

from __future__ import annotations

from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.clock import utcnow
from ordertrack.notifications import delivery, templates
from ordertrack.notifications.model import Notification, NotificationTemplate
from ordertrack.orders import service as orders_service
from ordertrack.orders.model import Order


def save_template(
    uow: UnitOfWork,
    merchant_id: str,
    key: tuple[str, str, str],
    source: templates.TemplateSource,
) -> templates.RenderedMessage:
    """Check the template in the sandbox, keep it for (trigger, channel, locale), render it on sample data."""
    trigger, channel, locale = key
    templates.check_template(source, templates.Channel(channel))
    sample = templates.render(
        templates.sample_context(templates.Trigger(trigger), locale), templates.Channel(channel), source
    )
    row = uow.session.get(NotificationTemplate, (merchant_id, trigger, channel, locale))
    if row is None:
        row = NotificationTemplate(merchant_id=merchant_id, trigger=trigger, channel=channel, locale=locale)
        uow.session.add(row)
    row.subject, row.text, row.html, row.updated_at = source.subject, source.text, source.html, utcnow()
    return sample


def saved_template(
    uow: UnitOfWork, merchant_id: str, key: tuple[str, str, str]
) -> templates.TemplateSource | None:
    """The merchant's own template for (trigger, channel, locale), if they saved one."""
    row = uow.session.get(NotificationTemplate, (merchant_id, *key))
    return None if row is None else templates.TemplateSource(row.subject, row.text, row.html)


def template_in_use(
    uow: UnitOfWork, merchant_id: str, key: tuple[str, str, str]
) -> tuple[templates.TemplateSource, bool]:
    """The template that would be used, and whether it is the merchant's own."""
    own = saved_template(uow, merchant_id, key)
    if own is not None:
        return own, True
    trigger, channel, locale = key
    return templates.default_template(templates.Trigger(trigger), templates.Channel(channel), locale), False


def reset_template(uow: UnitOfWork, merchant_id: str, key: tuple[str, str, str]) -> None:
    """Forget the merchant's own template: ours is used again."""
    row = uow.session.get(NotificationTemplate, (merchant_id, *key))
    if row is not None:
        uow.session.delete(row)


def preview(
    uow: UnitOfWork,
    merchant_id: str,
    order_ref: str,
    key: tuple[str, str, str],
    given: templates.TemplateSource | None,
    channels: delivery.Channels,
) -> templates.RenderedMessage:
    """Render a template (given, saved, or the default) against a real order, sending nothing."""
    trigger, channel, locale = key
    order = orders_service.find_order(uow, merchant_id, order_ref)
    stand_in = Notification(
        merchant_id=merchant_id,
        order_id=order.id,
        shipment_id=None,
        trigger=trigger,
        channel=channel,
        recipient="preview@example.invalid",
        locale=locale,
        facts=_stock_facts(uow, merchant_id, order) if trigger == "low_stock" else {},
    )
    context, _zone = delivery.message_context(uow, stand_in, channels)
    source = given if given is not None else saved_template(uow, merchant_id, key)
    return templates.render(context, templates.Channel(channel), source)


def _stock_facts(uow: UnitOfWork, merchant_id: str, order: Order) -> dict[str, object]:
    """A low-stock preview tells the real stock of the order's first line."""
    sku = order.lines[0].sku if order.lines else ""
    levels = inventory_service.list_stock(uow, merchant_id, sku=sku, warehouse=None, low=None) if sku else []
    if not levels:
        return {"sku": sku, "warehouse": "-", "available": 0}
    level, code = levels[0]
    return {"sku": sku, "warehouse": code, "available": level.on_hand - level.reserved}
