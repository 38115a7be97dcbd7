"""Purchasing use cases: what the merchant buys from its suppliers, across features — an
advance shipping notice's parcels are tracking parcels, receiving puts goods into stock, and
what is inbound gives backordered customer orders their promise."""
