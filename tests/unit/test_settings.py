"""Settings come from ONEWINDOW_* variables, with embedded defaults."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest

from backend.settings import Environment, describe_settings, settings_from_env

# What an operator pastes from `secrets.token_urlsafe(48)`, and the https issuer production needs.
STRONG_SECRET = "q7R2vXk9LmT4pWz8NbC1yHs6JdF3gAe5UoIi0KtZ"
HTTPS_ISSUER = "https://id.example.gov.cn"


def test_defaults_are_embedded_sqlite_and_redis() -> None:
    settings = settings_from_env({"ONEWINDOW_DATA_DIR": "/tmp/ow"})
    assert settings.resolved_database_url == "sqlite+aiosqlite:////tmp/ow/onewindow.sqlite3"
    assert settings.redis_url == ""
    assert settings.graphiql_enabled is True
    assert settings.resolved_catalog_dir.name == "demo"


def test_values_are_converted_from_strings() -> None:
    settings = settings_from_env({"ONEWINDOW_MAX_PAGE_SIZE": "50", "ONEWINDOW_GRAPHIQL": "false"})
    assert settings.max_page_size == 50
    assert settings.graphiql_enabled is False


def test_stand_ins_can_never_run_in_production() -> None:
    base = {
        "ONEWINDOW_ENV": "production",
        "ONEWINDOW_DATABASE_URL": "postgresql+asyncpg://u@h/db",
        "ONEWINDOW_REDIS_URL": "redis://h:6379/0",
        "ONEWINDOW_SECRET_KEY": STRONG_SECRET,
        "ONEWINDOW_ISSUER": HTTPS_ISSUER,
    }
    with pytest.raises(ValueError, match="SMS outbox stand-in") as caught:
        settings_from_env(base)
    assert "registry stand-in" in str(caught.value)
    with pytest.raises(ValueError, match="ONEWINDOW_SECRET_KEY is required"):
        settings_from_env({k: v for k, v in base.items() if k != "ONEWINDOW_SECRET_KEY"} | {"ONEWINDOW_SMS": "x"})


def test_citizens_tokens_never_travel_to_the_assistant_in_clear_text_in_production() -> None:
    env = {
        "ONEWINDOW_ENV": "production",
        "ONEWINDOW_DATABASE_URL": "postgresql+asyncpg://u@h/db",
        "ONEWINDOW_REDIS_URL": "redis://h:6379/0",
        "ONEWINDOW_SECRET_KEY": STRONG_SECRET,
        "ONEWINDOW_ISSUER": HTTPS_ISSUER,
    }
    with pytest.raises(ValueError, match="over https or on loopback") as caught:
        settings_from_env(env | {"ONEWINDOW_ASSISTANT_URL": "http://rasa.internal:5005"})
    for fine in ("https://rasa.internal", "http://127.0.0.1:5005"):
        with pytest.raises(ValueError, match="production settings refused") as other:
            settings_from_env(env | {"ONEWINDOW_ASSISTANT_URL": fine})  # refused, but for the stand-ins only
        assert "assistant" not in str(other.value)
    assert "assistant" in str(caught.value)


def test_unknown_variable_is_refused() -> None:
    with pytest.raises(ValueError, match="ONEWINDOW_DATABSE_URL"):
        settings_from_env({"ONEWINDOW_DATABSE_URL": "x"})


def test_production_requires_real_database_and_redis() -> None:
    with pytest.raises(ValueError, match="production needs"):
        settings_from_env({"ONEWINDOW_ENV": "production"})
    real = {
        "ONEWINDOW_ENV": "production",
        "ONEWINDOW_DATABASE_URL": "postgresql+asyncpg://u@h/db",
        "ONEWINDOW_REDIS_URL": "redis://h:6379/0",
        "ONEWINDOW_SECRET_KEY": STRONG_SECRET,
        "ONEWINDOW_ISSUER": HTTPS_ISSUER,
        "ONEWINDOW_SMS": "gateway",
        "ONEWINDOW_REGISTRY": "gateway",
        "ONEWINDOW_FINANCE_BUREAU": "gateway",
        "ONEWINDOW_CERTIFICATE_LIBRARY": "gateway",
        "ONEWINDOW_HOTLINE": "gateway",
    }
    # The Alipay sandbox is never a production payment channel.
    with pytest.raises(ValueError, match="payments need Alipay's gateway and keys"):
        settings_from_env(real)
    real |= {
        "ONEWINDOW_ALIPAY_GATEWAY": "https://openapi.alipay.com/gateway.do",
        "ONEWINDOW_ALIPAY_PRIVATE_KEY_FILE": "/etc/onewindow/alipay-app-private.pem",
        "ONEWINDOW_ALIPAY_PUBLIC_KEY_FILE": "/etc/onewindow/alipay-public.pem",
    }
    # Nor is the WeChat Pay sandbox.
    with pytest.raises(ValueError, match="payments need WeChat Pay's gateway and keys"):
        settings_from_env(real)
    real |= {
        "ONEWINDOW_WECHATPAY_GATEWAY": "https://api.mch.weixin.qq.com",
        "ONEWINDOW_WECHATPAY_CERT_SERIAL_NO": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        "ONEWINDOW_WECHATPAY_PRIVATE_KEY_FILE": "/etc/onewindow/wechatpay-apiclient-key.pem",
        "ONEWINDOW_WECHATPAY_APIV3_KEY_FILE": "/etc/onewindow/wechatpay-apiv3.key",
        "ONEWINDOW_WECHATPAY_PUBLIC_KEY_FILE": "/etc/onewindow/wechatpay-public.pem",
        "ONEWINDOW_WECHATPAY_PUBLIC_KEY_ID": "PUB_KEY_ID_0119000000000000000000000000000001",
    }
    # Nor is the finance bureau's stand-in a source of real fiscal receipts.
    with pytest.raises(ValueError, match="the finance bureau stand-in cannot issue real fiscal receipts"):
        settings_from_env(real | {"ONEWINDOW_FINANCE_BUREAU": "standin"})
    # Nor does the certificate library's stand-in allocate real passport or plate numbers.
    with pytest.raises(ValueError, match="the certificate library stand-in allocates no real numbers"):
        settings_from_env(real | {"ONEWINDOW_CERTIFICATE_LIBRARY": "standin"})
    # Nor does the 12345 hotline's stand-in reach the hotline.
    with pytest.raises(ValueError, match="the 12345 hotline stand-in sends no real work orders"):
        settings_from_env(real | {"ONEWINDOW_HOTLINE": "standin"})
    settings = settings_from_env(real)
    assert settings.env is Environment.PRODUCTION
    assert settings.graphiql_enabled is False


def test_every_setting_is_documented() -> None:
    rows = describe_settings()
    assert {name for name, _, _ in rows} >= {"ONEWINDOW_DATABASE_URL", "ONEWINDOW_REDIS_URL", "ONEWINDOW_CATALOG_DIR"}
    assert all(description for _, _, description in rows)


@pytest.mark.parametrize("weak", ["x", "x" * 40, "password1234password1234password12"])
def test_production_refuses_a_weak_secret(weak: str) -> None:
    env = {
        "ONEWINDOW_ENV": "production",
        "ONEWINDOW_DATABASE_URL": "postgresql+asyncpg://u@h/db",
        "ONEWINDOW_REDIS_URL": "redis://h:6379/0",
        "ONEWINDOW_SECRET_KEY": weak,
        "ONEWINDOW_ISSUER": HTTPS_ISSUER,
    }
    with pytest.raises(ValueError, match="ONEWINDOW_SECRET_KEY must be at least 32 random characters"):
        settings_from_env(env)
    with pytest.raises(ValueError, match="production settings refused") as strong:
        settings_from_env(env | {"ONEWINDOW_SECRET_KEY": STRONG_SECRET})  # refused, but for the stand-ins only
    assert "SECRET_KEY" not in str(strong.value)


@pytest.mark.parametrize("issuer", [{"ONEWINDOW_ISSUER": "http://id.example.gov.cn"}, {}])
def test_production_refuses_an_issuer_that_is_not_https(issuer: dict[str, str]) -> None:
    # Without https, the single sign-on cookie would be sent without Secure.
    env = {
        "ONEWINDOW_ENV": "production",
        "ONEWINDOW_DATABASE_URL": "postgresql+asyncpg://u@h/db",
        "ONEWINDOW_REDIS_URL": "redis://h:6379/0",
        "ONEWINDOW_SECRET_KEY": STRONG_SECRET,
    }
    with pytest.raises(ValueError, match="the issuer must be an https URL"):
        settings_from_env(env | issuer)
    with pytest.raises(ValueError, match="production settings refused") as https:
        settings_from_env(env | {"ONEWINDOW_ISSUER": HTTPS_ISSUER})
    assert "issuer" not in str(https.value)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"ONEWINDOW_DATABSE_URL": "x"}, "ONEWINDOW_DATABSE_URL is not a setting. Did you mean ONEWINDOW_DATABASE_URL"),
        ({"ONEWINDOW_MAX_PAGE_SIZE": "abc"}, "ONEWINDOW_MAX_PAGE_SIZE: Expected `int`, got `str`"),
        ({"ONEWINDOW_ENV": "production"}, "ONEWINDOW_SECRET_KEY is required"),
    ],
)
def test_a_settings_mistake_is_one_clear_line_not_a_traceback(
    env: dict[str, str], says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from backend.cli import main
    from backend.settings import get_settings

    for key in [k for k in os.environ if k.startswith("ONEWINDOW_")]:
        monkeypatch.delenv(key)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["migrate", "--check"], env=env | {"LANG": "en_US.UTF-8"})
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert f"  - {says}" in result.output and result.output.startswith("onewindow: ")
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_a_development_command_in_an_install_without_stand_ins_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from click.testing import CliRunner

    from backend.cli import STANDINS_MISSING, main
    from backend.settings import get_settings

    # Given an install without standins/ (a production wheel ships backend and payments only)
    monkeypatch.setitem(sys.modules, "standins", None)
    monkeypatch.setitem(sys.modules, "standins.sms", None)
    for key in [k for k in os.environ if k.startswith("ONEWINDOW_")]:
        monkeypatch.delenv(key)
    get_settings.cache_clear()
    # When an operator asks for the SMS stand-in's outbox
    try:
        result = CliRunner().invoke(main, ["sms", "outbox"], env={"ONEWINDOW_DATA_DIR": str(tmp_path)})
    finally:
        get_settings.cache_clear()
    # Then one line says why, and the command ends with 2, not a traceback
    assert result.exit_code == 2
    assert result.output == f"onewindow: {STANDINS_MISSING}\n"
