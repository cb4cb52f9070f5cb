"""Personal numbers are masked and secrets dropped in every log line."""

from __future__ import annotations

from backend.logs import mask_personal_data, mask_text


def test_id_numbers_and_phones_are_masked() -> None:
    text = "citizen 44010619900307123X phone 13800138000 order 2024010112345678901234"
    masked = mask_text(text)
    assert "44010619900307123X" not in masked and "440106********123X" in masked
    assert "138****8000" in masked
    assert "2024010112345678901234" in masked  # longer digit runs are not personal numbers


def test_secrets_are_redacted_in_nested_values() -> None:
    event = {"event": "login", "refresh_token": "abc", "user": {"password": "p", "phone": "13912345678"}}
    out = mask_personal_data(None, "info", event)
    assert out["refresh_token"] == "[redacted]"
    assert out["user"] == {"password": "[redacted]", "phone": "139****5678"}


def test_numbers_are_masked_however_they_are_written() -> None:
    cases = {
        "电话13800138000。": "电话138****8000。",
        "call 138 0013 8000": "call 138****8000",
        "+86-138-0013-8000": "+86-138****8000",
        "１３８００１３８０００": "１３８****８０００",
        "440106 19880315 011X": "440106********011X",
        "４４０１０６１９８８０３１５０１１Ｘ": "４４０１０６********０１１Ｘ",
    }
    for text, masked in cases.items():
        assert mask_text(text) == masked, text
    # not inside a longer word: request ids and hashes stay as they are
    for kept in ("request 13800138000ab12cd", "sha 4401061988031501198ff", "GZ26120712345678"):
        assert mask_text(kept) == kept


def test_the_request_id_is_never_masked() -> None:
    event = {"event": "x", "request_id": "13800138000abcdef0123456789abcde"}
    assert mask_personal_data(None, "info", dict(event))["request_id"] == event["request_id"]
