"""Lateness against review score on Olist files: each figure hand-computed, then the real data."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from statistics import correlation

import pytest
from typer.testing import CliRunner

from ordertrack.analytics import ratings_olist
from ordertrack.cli.main import app

OLIST = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "olist"
REAL_ORDERS = OLIST / "olist_orders_train.csv"
REAL_REVIEWS = OLIST / "olist_order_reviews_sample.csv"
runner = CliRunner()

ORDER_HEADER = (
    "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,"
    "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date"
)
# Every order was promised for 2017-05-10 (Olist writes the promised day as midnight).
# id, status, delivered (local Sao Paulo time) -> days late by hand
ORDERS = [
    ("A", "delivered", "2017-05-10 23:59:00"),  # 0: on time, even at one minute to midnight
    ("B", "delivered", "2017-05-08 12:00:00"),  # -2: early
    ("C", "delivered", "2017-05-11 00:05:00"),  # 1
    ("D", "delivered", "2017-05-12 09:00:00"),  # 2
    ("E", "delivered", "2017-05-13 09:00:00"),  # 3
    ("F", "delivered", "2017-05-17 09:00:00"),  # 7
    ("G", "delivered", "2017-05-18 09:00:00"),  # 8
    ("H", "shipped", ""),  # reviewed but never delivered: left out
    ("I", "delivered", ""),  # delivered without a delivery time: left out
    ("J", "delivered", "2017-05-09 09:00:00"),  # no review: not counted anywhere
]
REVIEW_HEADER = (
    '"review_id","order_id","review_score","review_comment_title","review_comment_message",'
    '"review_creation_date","review_answer_timestamp"'
)
# review id, order id, score, answered at
REVIEWS = [
    ("r1", "A", 5, "2017-05-12 10:00:00"),
    ("r2", "B", 1, "2017-05-09 10:00:00"),  # B's first answer...
    ("r3", "B", 4, "2017-05-11 10:00:00"),  # ...and its latest, which counts
    ("r4", "C", 3, "2017-05-12 10:00:00"),
    ("r5", "D", 2, "2017-05-13 10:00:00"),
    ("r6", "E", 1, "2017-05-14 10:00:00"),
    ("r7", "F", 2, "2017-05-18 10:00:00"),
    ("r8", "G", 1, "2017-05-19 10:00:00"),
    ("r9", "H", 5, "2017-05-19 10:00:00"),
    ("r10", "I", 3, "2017-05-19 10:00:00"),
    ("r11", "Z", 4, "2017-05-19 10:00:00"),  # an order the orders file does not hold
]


def write_fixture(folder: Path) -> tuple[Path, Path]:
    orders = folder / "orders.csv"
    lines = [ORDER_HEADER]
    for order_id, status, delivered in ORDERS:
        lines.append(
            f"{order_id},c{order_id},{status},2017-05-01 10:00:00,2017-05-01 11:00:00,"
            f"2017-05-02 10:00:00,{delivered},2017-05-10 00:00:00"
        )
    orders.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reviews = folder / "reviews.csv"
    lines = [REVIEW_HEADER]
    for review_id, order_id, score, answered in REVIEWS:
        lines.append(
            f'"{review_id}","{order_id}",{score},,"a comment, with a comma",'
            f"{answered[:10]} 00:00:00,{answered}"
        )
    reviews.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return orders, reviews


@pytest.fixture
def fixture_result(tmp_path: Path) -> ratings_olist.LatenessRatings:
    return ratings_olist.lateness_ratings_from_files(*write_fixture(tmp_path))


class TestOlistRatingsFigures:
    def test_counts_say_what_was_read_and_what_joined(
        self, fixture_result: ratings_olist.LatenessRatings
    ) -> None:
        assert fixture_result.orders_read == 10
        assert fixture_result.reviews_read == 11
        assert fixture_result.orders_reviewed == 9  # A to I; J has no review, Z no order
        assert fixture_result.overall.orders == 7  # A to G
        assert fixture_result.excluded == {
            "reviewed but shipped": 1,
            "delivered without a delivery time or promised day": 1,
            "reviews of orders not in the orders file": 1,
        }

    def test_each_class_holds_its_orders_by_calendar_days_late_in_sao_paulo(
        self, fixture_result: ratings_olist.LatenessRatings
    ) -> None:
        # on time: A 5, B 4 (latest answer) | 1-2: C 3, D 2 | 3-7: E 1, F 2 | more than 7: G 1
        on_time, one_two, three_seven, more = fixture_result.classes
        assert (on_time.name, on_time.orders, on_time.mean_score) == ("on time or early", 2, 4.5)
        assert (on_time.low_share, on_time.five_share) == (0.0, 0.5)
        assert (one_two.name, one_two.orders, one_two.mean_score) == ("1-2 days late", 2, 2.5)
        assert (one_two.low_share, one_two.five_share) == (0.5, 0.0)
        assert (three_seven.name, three_seven.orders, three_seven.mean_score) == ("3-7 days late", 2, 1.5)
        assert (three_seven.low_share, three_seven.five_share) == (1.0, 0.0)
        assert (more.name, more.orders, more.mean_score) == ("more than 7 days late", 1, 1.0)
        assert (more.low_share, more.five_share) == (1.0, 0.0)

    def test_late_and_overall_pool_the_classes(self, fixture_result: ratings_olist.LatenessRatings) -> None:
        late, overall = fixture_result.late, fixture_result.overall
        assert late.orders == 5  # scores 3 2 1 2 1
        assert late.mean_score == pytest.approx(9 / 5)
        assert (late.low_share, late.five_share) == (pytest.approx(4 / 5), 0.0)
        assert overall.orders == 7  # scores 5 4 3 2 1 2 1
        assert overall.mean_score == pytest.approx(18 / 7)
        assert overall.low_share == pytest.approx(4 / 7)
        assert overall.five_share == pytest.approx(1 / 7)

    def test_correlations_use_days_late_and_the_latest_score(
        self, fixture_result: ratings_olist.LatenessRatings
    ) -> None:
        days = [0, -2, 1, 2, 3, 7, 8]
        scores = [5, 4, 3, 2, 1, 2, 1]
        assert fixture_result.pearson_r == pytest.approx(correlation(days, scores))
        # ranks by hand, ties sharing the mean rank: days -2<0<1<2<3<7<8; scores 1,1 -> 1.5; 2,2 -> 3.5
        assert fixture_result.spearman_rho == pytest.approx(
            correlation([2, 1, 3, 4, 5, 6, 7], [7, 6, 5, 3.5, 1.5, 3.5, 1.5])
        )
        assert fixture_result.pearson_r < 0

    def test_monotonic_checks_are_strict(self, fixture_result: ratings_olist.LatenessRatings) -> None:
        assert fixture_result.mean_score_falls  # 4.5 > 2.5 > 1.5 > 1.0
        assert not fixture_result.low_share_rises  # 0 < 0.5 < 1.0, then 1.0 again: not a rise

    def test_day_boundary_is_midnight_in_sao_paulo(self, tmp_path: Path) -> None:
        orders, _ = write_fixture(tmp_path)
        late = {o.order_id: ratings_olist.days_late(o) for o in ratings_olist.read_orders(orders)}
        # 23:59 local is 02:59 UTC the next day: still the promised day for the shopper in Brazil.
        assert late["A"] == 0
        assert late["C"] == 1  # five minutes past midnight is the next day
        assert late["I"] is None
        assert [ratings_olist.lateness_class(d) for d in (-30, 0, 1, 2, 3, 7, 8)] == [
            "on time or early",
            "on time or early",
            "1-2 days late",
            "1-2 days late",
            "3-7 days late",
            "3-7 days late",
            "more than 7 days late",
        ]

    def test_scores_outside_one_to_five_are_refused(self, tmp_path: Path) -> None:
        reviews = tmp_path / "reviews.csv"
        reviews.write_text(REVIEW_HEADER + '\n"r1","A",6,,,2017-05-12 00:00:00,2017-05-12 10:00:00\n')
        with pytest.raises(
            ratings_olist.ReviewsFormatError, match=r"reviews.csv:2: review_score must be 1 to 5"
        ):
            ratings_olist.read_reviews(reviews)


class TestOlistRatingsCommand:
    def test_table_names_every_class_and_the_join(self, tmp_path: Path) -> None:
        orders, reviews = write_fixture(tmp_path)
        result = runner.invoke(
            app, ["analytics", "olist", "--orders", str(orders), "--reviews", str(reviews)]
        )
        assert result.exit_code == 0, result.output
        assert (
            "10 orders, 11 reviews; 9 reviewed orders in the orders file, 7 of them delivered"
            in result.output
        )
        assert "on time or early               2   4.50       0.0%    50.0%" in result.output
        assert "more than 7 days late          1   1.00     100.0%     0.0%" in result.output
        assert (
            "mean score falls with each class: yes; share of 1-2 stars rises with each class: no"
            in result.output
        )

    def test_csv_holds_the_figures(self, tmp_path: Path) -> None:
        orders, reviews = write_fixture(tmp_path)
        result = runner.invoke(
            app, ["analytics", "olist", "--orders", str(orders), "--reviews", str(reviews), "--csv"]
        )
        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [r["class"] for r in rows] == [
            "on time or early",
            "1-2 days late",
            "3-7 days late",
            "more than 7 days late",
            "late (1 day or more)",
            "all delivered",
        ]
        assert rows[-1] == {
            "class": "all delivered",
            "orders": "7",
            "mean_score": "2.571",
            "share_1_2_stars": "0.5714",
            "share_5_stars": "0.1429",
        }

    def test_missing_file_exits_with_2_and_says_which(self, tmp_path: Path) -> None:
        _, reviews = write_fixture(tmp_path)
        result = runner.invoke(
            app, ["analytics", "olist", "--orders", str(tmp_path / "nope.csv"), "--reviews", str(reviews)]
        )
        assert result.exit_code == 2
        assert "--orders: no such file" in result.output

    def test_files_swapped_exit_with_2_naming_the_missing_columns(self, tmp_path: Path) -> None:
        orders, reviews = write_fixture(tmp_path)
        result = runner.invoke(
            app, ["analytics", "olist", "--orders", str(reviews), "--reviews", str(orders)]
        )
        assert result.exit_code == 2
        assert "missing column(s) order_status" in result.output


def real_files() -> tuple[Path, Path]:
    if not (REAL_ORDERS.is_file() and REAL_REVIEWS.is_file()):
        pytest.skip(f"Olist orders/reviews not found under {OLIST} (shared data absent)")
    return REAL_ORDERS, REAL_REVIEWS


class TestOlistRatingsOnRealData:
    """The figures documented in docs/analytics.md, reproduced from the raw files."""

    def test_late_deliveries_score_lower_and_draw_more_one_and_two_stars(self) -> None:
        result = ratings_olist.lateness_ratings_from_files(*real_files())
        on_time = result.classes[0]
        assert result.late.mean_score < on_time.mean_score
        assert result.late.low_share > on_time.low_share
        assert result.mean_score_falls
        assert result.low_share_rises
        assert result.pearson_r < 0 and result.spearman_rho < 0

    def test_documented_figures(self) -> None:
        result = ratings_olist.lateness_ratings_from_files(*real_files()).as_dict()
        assert (result["orders_read"], result["reviews_read"], result["orders_reviewed"]) == (
            11956,
            6123,
            761,
        )
        assert result["classes"] == [
            {"class": "on time or early", "orders": 698, "mean_score": 4.309, "share_1_2_stars": 0.0817,
             "share_5_stars": 0.6103},
            {"class": "1-2 days late", "orders": 7, "mean_score": 4.286, "share_1_2_stars": 0.1429,
             "share_5_stars": 0.7143},
            {"class": "3-7 days late", "orders": 19, "mean_score": 2.474, "share_1_2_stars": 0.5789,
             "share_5_stars": 0.3158},
            {"class": "more than 7 days late", "orders": 16, "mean_score": 1.875, "share_1_2_stars": 0.75,
             "share_5_stars": 0.125},
        ]  # fmt: skip
        assert result["late"] == {
            "class": "late (1 day or more)", "orders": 42, "mean_score": 2.548, "share_1_2_stars": 0.5714,
            "share_5_stars": 0.3095,
        }  # fmt: skip
        assert result["overall"] == {
            "class": "all delivered", "orders": 740, "mean_score": 4.209, "share_1_2_stars": 0.1095,
            "share_5_stars": 0.5932,
        }  # fmt: skip
        assert (result["pearson_r"], result["spearman_rho"]) == (-0.2624, -0.1259)
        assert result["excluded"] == {
            "reviewed but canceled": 2,
            "reviewed but processing": 3,
            "reviewed but shipped": 7,
            "reviewed but unavailable": 9,
            "reviews of orders not in the orders file": 5360,
        }

    def test_command_on_real_files(self) -> None:
        orders, reviews = real_files()
        result = runner.invoke(
            app, ["analytics", "olist", "--orders", str(orders), "--reviews", str(reviews)]
        )
        assert result.exit_code == 0, result.output
        assert "late (1 day or more)          42   2.55      57.1%    31.0%" in result.output
        assert "on time or early             698   4.31       8.2%    61.0%" in result.output
