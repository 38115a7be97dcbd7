"""The shipment checks and promises: the use case above the features that watches shipments.

It gathers facts through the services of shipments, tracking, orders and inventory, asks
``eta`` for the promise and ``attention`` for what needs a human, and says when to look again.
"""
