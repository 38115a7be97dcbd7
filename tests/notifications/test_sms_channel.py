"""The SMS channel: a Twilio-shaped server on 127.0.0.1, and the pure rules of an SMS."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.notifications.channels import (
    DeliveryFailed,
    InvalidPhoneNumber,
    SmsConfig,
    fit_sms,
    normalise_phone,
    quiet_hours_release,
    segments,
    send_sms,
)
from ordertrack.notifications.channels.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    quiet_hours_release_everywhere,
    recipient_zones,
    signed_by_twilio,
    twilio_signature,
)
from ordertrack.notifications.rules import is_stop_request
from tests.notifications.servers import ACCOUNT, TOKEN, Provider

TRACKING_URL = "https://track.loja.example/t/Zm9vYmFy-0123456789"


def send(config: SmsConfig, to: str = "+5511987654321", body: str = "Seu pedido saiu para entrega") -> str:
    async def run() -> str:
        async with httpx.AsyncClient() as client:
            return await send_sms(config, to, body, client=client, idempotency_key="outbox-7")

    return asyncio.run(run())


def test_sms_is_posted_as_twilio_form_with_basic_auth_and_returns_the_sid(provider: Provider) -> None:
    sid = send(provider.config, body="Seu pedido está a caminho: " + TRACKING_URL)
    assert sid == "SM" + "0" * 31 + "1"
    assert provider.twilio.received == [
        {"To": "+5511987654321", "From": "+15005550006", "Body": "Seu pedido está a caminho: " + TRACKING_URL}
    ]
    assert provider.twilio.keys == ["outbox-7"]


def test_number_not_in_e164_is_refused_before_any_request(provider: Provider) -> None:
    with pytest.raises(DeliveryFailed) as failure:
        send(provider.config, to="(11) 98765-4321")
    assert not failure.value.transient
    assert provider.twilio.received == []


def test_rate_limit_is_transient_with_the_providers_retry_after(provider: Provider) -> None:
    provider.twilio.script = [(429, {"code": 20429, "message": "Too Many Requests"}, {"Retry-After": "17"})]
    with pytest.raises(DeliveryFailed) as failure:
        send(provider.config)
    assert failure.value.transient
    assert failure.value.retry_after == 17.0
    assert failure.value.status == 429
    assert send(provider.config).startswith("SM")


def test_provider_outage_is_transient(provider: Provider) -> None:
    provider.twilio.script = [(503, {"message": "Service Unavailable"}, {})]
    with pytest.raises(DeliveryFailed) as failure:
        send(provider.config)
    assert failure.value.transient


def test_invalid_number_answer_is_permanent(provider: Provider) -> None:
    provider.twilio.script = [
        (400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}, {})
    ]
    with pytest.raises(DeliveryFailed) as failure:
        send(provider.config)
    assert not failure.value.transient
    assert "21211" in str(failure.value)


def test_wrong_token_is_a_transient_channel_fault(provider: Provider) -> None:
    config = SmsConfig(
        base_url=provider.config.base_url, account=ACCOUNT, token="wrong", from_number="+15005550006"
    )
    with pytest.raises(DeliveryFailed) as failure:
        send(config)
    assert failure.value.transient
    assert failure.value.status == 401


def test_unreachable_provider_is_transient() -> None:
    from tests.support import free_port

    config = SmsConfig(
        base_url=f"http://127.0.0.1:{free_port()}", account=ACCOUNT, token=TOKEN, from_number="+1"
    )
    with pytest.raises(DeliveryFailed) as failure:
        send(config)
    assert failure.value.transient


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(202) 555-0143", "US", "+12025550143"),
        ("+1 202-555-0143", None, "+12025550143"),
        ("(11) 98765-4321", "BR", "+5511987654321"),
        ("+55 11 98765-4321", "GB", "+5511987654321"),
        ("07400 123456", "GB", "+447400123456"),
        ("+44 7400 123456", None, "+447400123456"),
        ("020 7946 0018", "gb", "+442079460018"),
    ],
)
def test_numbers_are_normalised_to_e164(raw: str, region: str | None, expected: str) -> None:
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("07400 123456", None),  # national number, no region to read it with
        ("12345", "US"),  # too short
        ("07700 900123", "GB"),  # Ofcom's drama range: the right shape, but no phone rings
        ("+1 555 0143", None),  # impossible length
        ("(11) 08765-4321", "BR"),  # no Brazilian mobile begins with 0
        ("call me maybe", "US"),
        ("", "BR"),
    ],
)
def test_invalid_numbers_are_refused(raw: str, region: str | None) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(raw, region)


def test_gsm7_counts_160_then_153_per_segment() -> None:
    assert segments("") == 1
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("a" * 306) == 2
    assert segments("a" * 307) == 3


def test_gsm7_accents_stay_gsm7_but_extension_characters_count_double() -> None:
    assert segments("é à ü Ñ ß Ç " + "a" * 148) == 1  # 160 septets
    assert segments("€" * 80) == 1
    assert segments("€" * 81) == 2
    # an escape pair is never split: 152 plain + "€" does not fit in the first 153 septets
    assert segments("a" * 152 + "€" + "a" * 152) == 3


def test_tilde_accents_and_emoji_switch_to_ucs2() -> None:
    assert "ã" not in GSM7_BASIC and "ã" not in GSM7_EXTENSION
    assert segments("ã" * 70) == 1
    assert segments("Seu pedido está a caminho, João" + "a" * 40) == 2  # 71 characters in UCS-2
    assert segments("ã" * 71) == 2
    assert segments("ã" * 134) == 2
    assert segments("ã" * 135) == 3
    assert segments("📦" * 35) == 1  # two UTF-16 units each
    assert segments("📦" * 36) == 2


def test_short_message_is_left_alone() -> None:
    body = "Entregue! " + TRACKING_URL
    assert fit_sms(body) == body


def test_long_message_is_cut_between_words_and_keeps_the_link_at_the_end() -> None:
    body = "Your order 1042 from Blue Shop is out for delivery today. " * 8 + TRACKING_URL
    fitted = fit_sms(body)
    assert segments(fitted) <= 2
    assert fitted.endswith("... " + TRACKING_URL)
    assert fitted.startswith("Your order 1042")
    assert "…" not in fitted  # would have forced UCS-2


def test_link_in_the_middle_moves_to_the_end_whole() -> None:
    body = "Acompanhe em " + TRACKING_URL + " " + "seu pedido está a caminho e chega amanhã " * 10
    fitted = fit_sms(body, max_segments=1)
    assert segments(fitted) == 1
    assert fitted.startswith("Acompanhe em seu pedido")
    assert fitted.endswith("... " + TRACKING_URL)  # the kept words are GSM-7, so the ellipsis is too
    assert fitted.count(TRACKING_URL) == 1


words = st.text(alphabet=st.sampled_from("abcdeãé€📦 xyz\n-.,"), min_size=0, max_size=700)


@settings(max_examples=150, deadline=None)
@given(before=words, after=words, max_segments=st.integers(min_value=1, max_value=3))
def test_fitted_sms_fits_and_ends_with_the_whole_link(before: str, after: str, max_segments: int) -> None:
    body = f"{before} {TRACKING_URL} {after}"
    fitted = fit_sms(body, max_segments)
    assert segments(fitted) <= max_segments
    if segments(body) <= max_segments:
        assert fitted == body
    else:
        assert fitted.endswith(TRACKING_URL)


def at(zone: str, *parts: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(*parts, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def test_daytime_message_goes_now() -> None:
    assert quiet_hours_release(at("America/Sao_Paulo", 2026, 5, 4, 14, 0), "America/Sao_Paulo") is None
    assert quiet_hours_release(at("America/Sao_Paulo", 2026, 5, 4, 8, 0), "America/Sao_Paulo") is None
    assert quiet_hours_release(at("America/Sao_Paulo", 2026, 5, 4, 20, 59), "America/Sao_Paulo") is None


def test_late_evening_message_waits_until_next_morning_in_the_recipients_zone() -> None:
    now = datetime(2026, 5, 5, 1, 30, tzinfo=UTC)  # 22:30 the evening before in São Paulo (UTC-3)
    assert quiet_hours_release(now, "America/Sao_Paulo") == datetime(2026, 5, 5, 11, 0, tzinfo=UTC)
    # the same instant is 02:30 in London (BST): wait for 08:00 there
    assert quiet_hours_release(now, "Europe/London") == datetime(2026, 5, 5, 7, 0, tzinfo=UTC)


def test_small_hours_message_waits_until_the_same_morning() -> None:
    release = quiet_hours_release(at("America/New_York", 2026, 7, 1, 3, 15), "America/New_York")
    assert release == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 08:00 EDT


def test_night_when_clocks_go_forward_is_an_hour_shorter_in_new_york() -> None:
    evening = at("America/New_York", 2026, 3, 7, 22, 0)  # EST, the night before the change
    release = quiet_hours_release(evening, "America/New_York")
    assert release == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT (UTC-4)
    assert release - evening == timedelta(hours=9)


def test_night_when_clocks_go_back_is_an_hour_longer_in_london() -> None:
    evening = at("Europe/London", 2026, 10, 24, 22, 0)  # BST, the night before the change
    release = quiet_hours_release(evening, "Europe/London")
    assert release == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 08:00 GMT
    assert release - evening == timedelta(hours=11)


def test_quiet_end_inside_a_dst_gap_releases_just_after_it() -> None:
    evening = at("America/New_York", 2026, 3, 7, 23, 0)
    release = quiet_hours_release(evening, "America/New_York", start=time(22, 0), end=time(2, 30))
    assert release == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 02:30 does not exist; 03:30 EDT


def test_daytime_window_that_does_not_span_midnight() -> None:
    lunch = at("Europe/London", 2026, 1, 10, 12, 30)
    assert quiet_hours_release(lunch, "Europe/London", start=time(12), end=time(14)) == datetime(
        2026, 1, 10, 14, 0, tzinfo=UTC
    )
    assert quiet_hours_release(lunch, "Europe/London", start=time(13), end=time(14)) is None


def test_naive_time_and_unknown_zone_are_refused() -> None:
    with pytest.raises(ValueError):
        quiet_hours_release(datetime(2026, 1, 1, 23, 0), "Europe/London")
    with pytest.raises(ValueError):
        quiet_hours_release(datetime(2026, 1, 1, 23, 0, tzinfo=UTC), "Mars/Olympus_Mons")


@settings(max_examples=300, deadline=None)
@given(
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(["America/New_York", "Europe/London", "America/Sao_Paulo", "Australia/Lord_Howe"]),
)
def test_release_is_later_outside_quiet_hours_and_within_a_night(now: datetime, zone: str) -> None:
    release = quiet_hours_release(now, zone)
    if release is None:
        return
    assert now < release <= now + timedelta(hours=12)
    assert quiet_hours_release(release, zone) is None


def test_the_recipients_zone_comes_from_the_number_else_the_country() -> None:
    assert recipient_zones("+15125550123") == ("America/Chicago",)
    assert recipient_zones("+442079460123", "US") == ("Europe/London",)  # the number wins
    us_toll_free = recipient_zones("+18005550123", "US")
    assert "America/New_York" in us_toll_free and "Pacific/Honolulu" in us_toll_free
    assert recipient_zones("not a number", "DE") == ("Europe/Berlin", "Europe/Busingen")
    assert recipient_zones("not a number") == ()


def test_a_text_to_a_number_of_unknown_zone_waits_until_morning_everywhere_it_may_be() -> None:
    zones = recipient_zones("+18005550123", "US")
    # 03:00 UTC is 22:00 in New York and 17:00 in Honolulu: someone may be asleep.
    release = quiet_hours_release_everywhere(datetime(2026, 11, 23, 3, 0, tzinfo=UTC), zones)
    assert release == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # 08:00 in Honolulu and Adak
    assert all(quiet_hours_release(release, zone) is None for zone in zones)
    midday_everywhere = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    assert quiet_hours_release_everywhere(midday_everywhere, zones) is None
    assert quiet_hours_release_everywhere(datetime(2026, 11, 23, 23, 0, tzinfo=UTC), ()) == datetime(
        2026, 11, 24, 8, 0, tzinfo=UTC
    )  # nothing known: UTC


def test_the_inbound_signature_matches_twilios_published_vector() -> None:
    # twilio-php's RequestValidatorTest: auth token "12345", this URL and these parameters.
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    assert twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert signed_by_twilio("12345", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not signed_by_twilio("12345", url, {**params, "Digits": "9999"}, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not signed_by_twilio("other", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not signed_by_twilio("12345", url, params, None)


@pytest.mark.parametrize(
    "body", ["STOP", "stop", " Stop. ", "UNSUBSCRIBE", "cancel", "Parar!", "sair", "BAJA"]
)
def test_stop_words_stop_texts(body: str) -> None:
    assert is_stop_request(body)


@pytest.mark.parametrize("body", ["", "Where is my parcel?", "stop sending at night please", "START", "HELP"])
def test_other_replies_do_not_stop_texts(body: str) -> None:
    assert not is_stop_request(body)


def test_the_footer_is_kept_whole_after_the_link_when_the_text_is_cut() -> None:
    link = "https://track.example.com/track/t/8f3Kq2LmZx7Wd4Rv9Bn1Pc6Ys0Hj5Ta"
    fitted = fit_sms("word " * 100 + link, footer="\nReply STOP to opt out")
    assert fitted.endswith("... " + link + "\nReply STOP to opt out")
    assert segments(fitted) <= 2
    assert fit_sms("short " + link, footer="\nReply STOP") == "short " + link + "\nReply STOP"
