"""Every table of the product, so ``Base.metadata`` is complete (Alembic, tests)."""

from ordertrack.analytics import lane_judgements as _lane_judgements  # noqa: F401
from ordertrack.analytics import model as _analytics  # noqa: F401
from ordertrack.analytics import rating_model as _ratings  # noqa: F401
from ordertrack.analytics import wismo_model as _wismo  # noqa: F401
from ordertrack.api import idempotency as _idempotency  # noqa: F401
from ordertrack.attention import model as _attention  # noqa: F401
from ordertrack.carriers import model as _carriers  # noqa: F401
from ordertrack.catalog import model as _catalog  # noqa: F401
from ordertrack.customers import model as _customers  # noqa: F401
from ordertrack.db.base import Base
from ordertrack.eta import model as _eta  # noqa: F401
from ordertrack.inventory import model as _inventory  # noqa: F401
from ordertrack.merchants import model as _merchants  # noqa: F401
from ordertrack.notifications import model as _notifications  # noqa: F401
from ordertrack.orders import model as _orders  # noqa: F401
from ordertrack.shipments import model as _shipments  # noqa: F401
from ordertrack.staff import model as _staff  # noqa: F401
from ordertrack.suppliers import model as _suppliers  # noqa: F401
from ordertrack.tracking import model as _tracking  # noqa: F401

metadata = Base.metadata
