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
