"""Many suppliers, and their terms for the merchant's SKUs, from one CSV file
(``ordertrack suppliers import``): checked whole, then written in the caller's transaction.

One row per supplier, or several: a supplier's details (address, time zone, calendar, lead time)
are on the first row with its name, and every row may also give one SKU's terms (``sku``,
``supplier_sku``, ``unit_cost``, ``currency``). A later row of the same name leaves the
details empty or repeats them exactly. A supplier already kept under that name is updated
(its details replaced by the row's, as the API's PUT does); rows that give an existing
supplier's name and terms only leave its details as they are.

Every row goes through the API's own shapes (:class:`SupplierIn`, :class:`SupplierSkuIn`) and
the catalog, so a file is refused for what a request would be refused for, with the same codes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ordertrack.catalog import service as catalog_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.suppliers import repository, service
from ordertrack.suppliers.csv_import import CsvRow, RowProblem, integer, problems_of, quoted
from ordertrack.suppliers.model import Supplier
from ordertrack.suppliers.schemas import SupplierIn, SupplierSkuIn

ADDRESS_COLUMNS = ("line1", "line2", "city", "region", "postal_code", "country")
DETAIL_COLUMNS = (
    "email",
    "phone",
    *ADDRESS_COLUMNS,
    "timezone",
    "lead_time_days",
    "holiday_country",
    "holiday_subdivision",
)
TERM_COLUMNS = ("sku", "supplier_sku", "unit_cost", "currency")
REQUIRED = ("name",)
OPTIONAL = DETAIL_COLUMNS + TERM_COLUMNS

# Where a field of the API's shape sits in the file.
_SUPPLIER_FIELDS: dict[tuple[Any, ...], str] = {("address", c): c for c in ADDRESS_COLUMNS} | {
    ("address",): "line1"
}


@dataclass(frozen=True, slots=True)
class TermRow:
    line: int
    sku: str
    terms: SupplierSkuIn


@dataclass
class SupplierChange:
    """What the file says about one supplier, worked out before anything is written."""

    name: str
    line: int  # the first row with this name
    details: SupplierIn | None  # None: the file gives only terms for an existing supplier
    existing: Supplier | None
    terms: list[TermRow] = field(default_factory=list)


@dataclass
class SupplierPlan:
    changes: list[SupplierChange] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def steps(self) -> int:
        return sum(1 + len(change.terms) for change in self.changes)


@dataclass(frozen=True)
class SupplierSummary:
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    terms: int


def plan_suppliers(uow: UnitOfWork, merchant_id: str, rows: Sequence[CsvRow]) -> SupplierPlan:
    """Every supplier's change, or the problems naming the rows that stop it."""
    plan = SupplierPlan()
    groups: dict[str, list[CsvRow]] = {}
    for row in rows:
        name = row.get("name")
        if name is None:
            plan.problems.append(RowProblem(row.line, "name", "missing", "name must not be empty"))
            continue
        groups.setdefault(name, []).append(row)
    existing = repository.suppliers_named(uow, merchant_id, set(groups))
    sku_lines: dict[str, list[int]] = {}
    for name, group in groups.items():
        change = _plan_one(name, group, existing.get(name), plan.problems)
        for term in change.terms:
            sku_lines.setdefault(term.sku, []).append(term.line)
        plan.changes.append(change)
    known = catalog_service.known_skus(uow, merchant_id, set(sku_lines))
    for sku in sorted(set(sku_lines) - known):
        for line in sku_lines[sku]:
            plan.problems.append(
                RowProblem(line, "sku", "unknown_sku", f"no product {quoted(sku)} in the catalog")
            )
    plan.problems.sort(key=lambda p: p.line)
    return plan


def apply_suppliers(
    uow: UnitOfWork,
    merchant_id: str,
    plan: SupplierPlan,
    progress: Callable[[int], None] | None = None,
) -> SupplierSummary:
    """Write a plan that has no problems; the caller commits."""
    if plan.problems:
        raise ValueError("a plan with problems is not applied")
    created, updated, unchanged = [], [], []
    done = terms = 0
    for change in plan.changes:
        supplier = change.existing
        if supplier is None:
            assert change.details is not None
            supplier = service.create_supplier(uow, merchant_id, change.details)
            created.append(change.name)
        elif change.details is not None and _differs(supplier, change.details):
            service.update_supplier(uow, merchant_id, supplier.id, change.details)
            updated.append(change.name)
        else:
            unchanged.append(change.name)
        done += 1
        for term in change.terms:
            service.set_supplier_sku(uow, merchant_id, supplier.id, term.sku, term.terms)
            terms += 1
            done += 1
        if progress is not None:
            progress(done)
    return SupplierSummary(created, updated, unchanged, terms)


def _plan_one(
    name: str, group: list[CsvRow], existing: Supplier | None, problems: list[RowProblem]
) -> SupplierChange:
    detail_rows = [row for row in group if any(row.get(c) is not None for c in DETAIL_COLUMNS)]
    details = None
    if detail_rows:
        first = detail_rows[0]
        for row in detail_rows[1:]:
            for column in DETAIL_COLUMNS:
                if row.get(column) != first.get(column):
                    problems.append(
                        RowProblem(
                            row.line,
                            column,
                            "conflicting_supplier_details",
                            f"{name!r}'s details are on line {first.line}: leave {column} empty here"
                            " or repeat it exactly",
                        )
                    )
                    break
        details = _details(name, first, problems)
    elif existing is None:
        problems.append(
            RowProblem(
                group[0].line,
                "country",
                "unknown_supplier",
                f"no supplier named {name!r}: give its address, country and timezone on its first row",
            )
        )
    change = SupplierChange(name, group[0].line, details, existing)
    seen: dict[str, int] = {}
    for row in group:
        term = _term(row, problems)
        if term is None:
            continue
        if term.sku in seen:
            problems.append(
                RowProblem(
                    row.line,
                    "sku",
                    "duplicate_sku",
                    f"{name!r}'s terms for {term.sku} are already on line {seen[term.sku]}",
                )
            )
            continue
        seen[term.sku] = row.line
        change.terms.append(term)
    return change


def _details(name: str, row: CsvRow, problems: list[RowProblem]) -> SupplierIn | None:
    address = {column: row.get(column) for column in ADDRESS_COLUMNS if row.get(column) is not None}
    fields: dict[str, Any] = {
        "name": name,
        "email": row.get("email"),
        "phone": row.get("phone"),
        "address": address,
        "timezone": row.get("timezone"),
        "lead_time_days": integer(row, "lead_time_days"),
        "holiday_country": row.get("holiday_country"),
        "holiday_subdivision": row.get("holiday_subdivision"),
    }
    try:
        return SupplierIn.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        for problem in problems_of(error, row.line, _SUPPLIER_FIELDS):
            if problem.column is None:
                # The calendar's checks span fields; the message names the one to fix.
                column = "holiday_subdivision" if "subdivision" in problem.message else "holiday_country"
                problem = RowProblem(problem.line, column, problem.code, problem.message)
            problems.append(problem)
        return None


def _term(row: CsvRow, problems: list[RowProblem]) -> TermRow | None:
    given = [column for column in TERM_COLUMNS if row.get(column) is not None]
    if not given:
        return None
    sku = row.get("sku")
    if sku is None:
        problems.append(
            RowProblem(row.line, "sku", "missing", f"{given[0]} is given: say which sku the terms are for")
        )
        return None
    fields = {
        "supplier_sku": row.get("supplier_sku"),
        "unit_cost": row.get("unit_cost"),
        "currency": row.get("currency"),
    }
    try:
        terms = SupplierSkuIn.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        problems.extend(problems_of(error, row.line, {}))
        return None
    return TermRow(row.line, sku, terms)


def _differs(supplier: Supplier, details: SupplierIn) -> bool:
    return any(getattr(supplier, column) != value for column, value in details.columns().items())
