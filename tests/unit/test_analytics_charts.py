"""The delivery charts and exports: the tables and CSV carry the figures' own numbers, the SVG
runs nothing and fetches nothing, and bad questions are refused with a code."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date

import pytest

from ordertrack.analytics import charts, export, report, rollup
from ordertrack.analytics.figures import Share, delivery_figures
from tests.unit.test_analytics_figures import AS_OF, HAND, lane_history

TODAY = date(2024, 2, 1)


def hand_report(**params: str) -> report.AnalyticsReport:
    query = report.parse_query({"from": "2024-01-01", "to": "2024-01-31", **params}, TODAY, group_by=True)
    cells = rollup.select(rollup.build(HAND), 1, query.first, query.last, **query.filters)
    return report.report_of(cells, query)


class TestDeliveryCharts:
    def test_every_chart_is_an_image_with_a_title_and_nothing_that_runs_or_loads(self) -> None:
        found = hand_report()
        for chart in charts.delivery_charts(found.figures, found.weeks, found.by_warehouse):
            svg = chart.svg
            assert svg.startswith("<svg") and 'role="img"' in svg and 'width="100%"' in svg
            assert "viewBox=" in svg
            assert "<script" not in svg and "<style" not in svg and "on" + "load" not in svg
            assert re.findall(r"https?://[^\"'\s<]+", svg) == ["http://www.w3.org/2000/svg"]
            assert svg.count("<title") == 1 and f">{chart.title}</title>" in svg
            assert svg.count("<desc") == 1 and chart.description

    def test_the_transit_table_holds_the_distribution_of_the_figures(self) -> None:
        found = hand_report()
        chart = charts.distribution("transit", "Transit", found.figures.transit, "deliveries")
        assert [int(n) for _, n in chart.rows] == list(delivery_figures(HAND).transit.by_day)

    def test_the_accuracy_table_is_early_inside_late_by_days(self) -> None:
        accuracy = delivery_figures(HAND).promise_accuracy
        rows = dict(charts.promise_accuracy(accuracy).rows)
        assert rows["inside"] == str(accuracy.inside)
        for days, n in accuracy.early_by_days:
            assert rows[f"{days} early"] == str(n)
        for days, n in accuracy.late_by_days:
            assert rows[f"{days} late"] == str(n)

    def test_the_exception_table_is_each_reasons_share(self) -> None:
        fig = delivery_figures(HAND)
        rows = dict(charts.exceptions(fig).rows)
        for reason, share in fig.exceptions_by_reason:
            assert rows[reason.replace("_", " ")] == charts.percent(share)

    def test_weeks_end_on_the_last_day_and_give_each_weeks_on_time_rate(self) -> None:
        found = hand_report()
        assert found.weeks[-1].last == date(2024, 1, 31) and found.weeks[0].first == date(2024, 1, 1)
        chart = charts.on_time_by_week(found.weeks)
        for week, row in zip(found.weeks, chart.rows, strict=True):
            assert row[1] == charts.percent(week.figures.on_time_promise)
        total = sum(w.figures.on_time_promise.denominator for w in found.weeks)
        assert total == found.figures.on_time_promise.denominator

    def test_a_rate_without_denominator_reads_a_dash(self) -> None:
        assert charts.percent(Share(0, 0)) == "—"
        assert charts.percent(Share(1, 3)) == "33.3% (1 of 3)"

    def test_the_chart_stylesheet_colours_every_series(self) -> None:
        css = charts.chart_css()
        assert ".pygal-chart" in css and "#chart-" not in css
        for index, colour in enumerate(charts.PALETTE):
            assert f".color-{index}" in css and colour in css


class TestDeliveryExport:
    def test_json_shares_are_numerator_denominator_and_rate(self) -> None:
        body = export.report_json(hand_report())
        fig = delivery_figures(HAND)
        assert body["figures"]["shipments"] == fig.shipments
        assert body["figures"]["on_time_promise"] == {
            "numerator": fig.on_time_promise.numerator,
            "denominator": fig.on_time_promise.denominator,
            "rate": round(fig.on_time_promise.value, 4),
        }
        assert body["figures"]["transit"]["p90_hours"] == fig.transit.p90_hours

    def test_csv_rows_carry_the_same_numbers(self) -> None:
        rows = list(csv.DictReader(io.StringIO(export.report_csv(hand_report(), "warehouse"))))
        fig = delivery_figures(HAND)
        overall = {r["figure"]: r for r in rows if not r["group"] and not r["detail"]}
        assert overall["on_time_carrier"]["numerator"] == str(fig.on_time_carrier.numerator)
        assert overall["on_time_carrier"]["denominator"] == str(fig.on_time_carrier.denominator)
        assert overall["processing_p50_hours"]["value"] == str(fig.processing.p50_hours)
        assert any(r["group"].startswith("warehouse=") for r in rows)

    def test_csv_quotes_a_value_a_spreadsheet_would_run(self) -> None:
        # The group and the detail come from outside (carrier, place and region names); the
        # figure's name and its numbers are written by the export.
        assert export._safe(["wait_p50_hours", "=HYPERLINK(1)", "-x", "", "3", "-1"]) == [
            "wait_p50_hours",
            "'=HYPERLINK(1)",
            "'-x",
            "",
            "3",
            "-1",
        ]
        assert export._safe(["shipments", "@a", "-3", "", "", "5"])[1:3] == ["'@a", "-3"]


class TestDeliveryQuery:
    def test_the_default_is_the_last_30_days_ending_today(self) -> None:
        query = report.parse_query({}, TODAY)
        assert (query.first, query.last, query.period) == (date(2024, 1, 3), TODAY, "30")

    def test_filters_are_kept_in_the_link_and_countries_upper_cased(self) -> None:
        query = report.parse_query({"period": "7", "carrier": "ups", "destination_country": "br"}, TODAY)
        assert query.params() == {"period": "7", "carrier": "ups", "destination_country": "BR"}

    @pytest.mark.parametrize(
        ("params", "code"),
        [
            ({"from": "2024-13-01"}, "invalid_date"),
            ({"from": "2024-02-01", "to": "2024-01-01"}, "range_reversed"),
            ({"from": "2022-01-01", "to": "2024-01-01"}, "range_too_long"),
            ({"period": "8"}, "invalid_filter"),
            ({"destination_country": "Brazil"}, "invalid_filter"),
            ({"carrier": "x" * 81}, "invalid_filter"),
        ],
    )
    def test_a_bad_question_is_refused_with_its_code(self, params: dict[str, str], code: str) -> None:
        with pytest.raises(report.Unprocessable) as refused:
            report.parse_query(params, TODAY)
        assert refused.value.code == code and refused.value.status_code == 422

    def test_a_lane_reads_back_from_its_link(self) -> None:
        lane = ("ups", "US", "BR", "SP")
        assert report.parse_lane(report.lane_params(lane)) == lane
        assert report.parse_lane({"carrier": "dhl", "origin_country": "de"}) == ("dhl", "DE", None, None)


class TestChartScales:
    @pytest.mark.parametrize(
        ("top", "ticks"),
        [
            (0, [0, 1]),
            (2, [0, 1, 2]),
            (7, [0, 2, 4, 6, 8]),
            (15, [0, 5, 10, 15]),
            (99, [0, 20, 40, 60, 80, 100]),
        ],
    )
    def test_counts_are_marked_in_whole_steps_of_one_two_or_five(self, top: int, ticks: list[int]) -> None:
        assert charts._count_labels(top) == ticks

    def test_thirteen_weeks_label_every_third_week_only(self) -> None:
        query = report.parse_query({"period": "90"}, TODAY)
        weeks = report.report_of({}, query).weeks
        assert len(weeks) == 13
        svg = charts.on_time_by_week(weeks).svg
        labelled = [w.first.strftime("%d %b") for w in weeks if f">{w.first.strftime('%d %b')}</text>" in svg]
        assert 3 <= len(labelled) <= 5


class TestReportShortcuts:
    def test_lanes_from_cells_added_per_lane_and_day_are_the_lanes_from_every_cell(self) -> None:
        facts = lane_history("ups", window_transit=60, window_late=2, start_id=1)
        facts += lane_history("dhl", window_transit=200, window_late=0, start_id=5000)
        facts = [replace(fact, warehouse=("east" if fact.shipment_id % 2 else "west")) for fact in facts]
        cells = rollup.build(facts)
        found = report.worse_lanes_of(cells, AS_OF)
        assert found == {w: rollup.lanes_that_got_worse(cells, AS_OF, w) for w in (7, 30)}
        assert {(a.lane[0], a.figure) for a in found[7]} == {("ups", "on_time"), ("dhl", "transit_p90")}

    def test_groups_read_from_partials_equal_groups_of_every_cell_but_for_places(self) -> None:
        facts = [replace(fact, warehouse=("east" if fact.shipment_id % 2 else "west")) for fact in HAND]
        query = report.parse_query(
            {"from": "2024-01-01", "to": "2024-01-31", "group_by": "lane"}, TODAY, group_by=True
        )
        cells = rollup.build(facts)
        found = report.report_of(cells, query)
        for name, groups, pick in (
            ("warehouse", found.by_warehouse, lambda key: key.warehouse),
            ("lane", found.by_lane, lambda key: key.lane),
        ):
            expected = rollup.figures_by(cells, pick)
            assert all(v.where_parcels_wait for v in expected.values())  # there were places to leave out
            assert dict(groups) == {k: replace(v, where_parcels_wait=()) for k, v in expected.items()}, name
        # "Where parcels wait" is per carrier: a carrier's split has its places, exactly.
        assert dict(found.by_carrier) == rollup.figures_by(cells, lambda key: key.carrier)
