"""ONEWINDOW_TRUSTED_PROXIES: addresses and networks, or one clear refusal (a typo must not silently
trust nobody, nor `*` trust everybody)."""

from __future__ import annotations

import pytest

from backend.settings import SettingsError, settings_from_env


def test_addresses_and_networks_become_networks() -> None:
    settings = settings_from_env({"ONEWINDOW_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.1/8 ,::1,"})
    assert settings.trusted_proxy_networks == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert settings_from_env({}).trusted_proxy_networks == []


@pytest.mark.parametrize("value", ["10.0.0.0/33", "*", "lb.internal", "10.0.0.1 10.0.0.2"])
def test_anything_else_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        settings_from_env({"ONEWINDOW_TRUSTED_PROXIES": value})
    assert refused.value.problems[0].startswith("ONEWINDOW_TRUSTED_PROXIES: ")
