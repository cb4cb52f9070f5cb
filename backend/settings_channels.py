"""The payment channels' settings (Alipay, WeChat Pay): a part of Settings kept in a module of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class ChannelSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Alipay's and WeChat Pay's merchant settings; empty keys and gateways mean the local sandboxes."""

    data_dir: str
    alipay_gateway: Annotated[
        str,
        _doc(
            "Alipay's gateway (ONEWINDOW_ALIPAY_GATEWAY), e.g. https://openapi.alipay.com/gateway.do. Empty: the "
            "local Alipay sandbox (`onewindow sandbox alipay`) on alipay_sandbox_port; never allowed in production."
        ),
    ] = ""
    alipay_sandbox_port: Annotated[int, _doc("Port of the local Alipay sandbox (ONEWINDOW_ALIPAY_SANDBOX_PORT).")] = (
        8010
    )
    alipay_app_id: Annotated[str, _doc("The merchant's Alipay app id (ONEWINDOW_ALIPAY_APP_ID).")] = "2021000000000001"
    alipay_seller_id: Annotated[str, _doc("The merchant's Alipay user id, 2088... (ONEWINDOW_ALIPAY_SELLER_ID).")] = (
        "2088000000000001"
    )
    alipay_private_key_file: Annotated[
        str, _doc("PEM file of the merchant's private key (ONEWINDOW_ALIPAY_PRIVATE_KEY_FILE). Empty: the sandbox's.")
    ] = ""
    alipay_public_key_file: Annotated[
        str, _doc("PEM file of Alipay's public key (ONEWINDOW_ALIPAY_PUBLIC_KEY_FILE). Empty: the sandbox's.")
    ] = ""
    wechatpay_gateway: Annotated[
        str,
        _doc(
            "WeChat Pay's API base (ONEWINDOW_WECHATPAY_GATEWAY), https://api.mch.weixin.qq.com in production. "
            "Empty: the local sandbox (`onewindow sandbox wechatpay`) on wechatpay_sandbox_port."
        ),
    ] = ""
    wechatpay_sandbox_port: Annotated[
        int, _doc("Port of the local WeChat Pay sandbox (ONEWINDOW_WECHATPAY_SANDBOX_PORT).")
    ] = 8011
    wechatpay_mchid: Annotated[str, _doc("The merchant number, 商户号 (ONEWINDOW_WECHATPAY_MCHID).")] = "1900000001"
    wechatpay_appid: Annotated[
        str, _doc("The app id payments are made in, the mini-program's or app's (ONEWINDOW_WECHATPAY_APPID).")
    ] = "wx0000000000000001"
    wechatpay_cert_serial_no: Annotated[
        str, _doc("Serial number of the merchant's API certificate (ONEWINDOW_WECHATPAY_CERT_SERIAL_NO).")
    ] = ""
    wechatpay_private_key_file: Annotated[
        str, _doc("PEM file of the merchant's API private key (ONEWINDOW_WECHATPAY_PRIVATE_KEY_FILE). Empty: sandbox.")
    ] = ""
    wechatpay_apiv3_key_file: Annotated[
        str, _doc("File holding the 32-byte APIv3 key (ONEWINDOW_WECHATPAY_APIV3_KEY_FILE). Empty: the sandbox's.")
    ] = ""
    wechatpay_public_key_file: Annotated[
        str, _doc("PEM file of the WeChat Pay public key (ONEWINDOW_WECHATPAY_PUBLIC_KEY_FILE). Empty: sandbox.")
    ] = ""
    wechatpay_public_key_id: Annotated[
        str, _doc("Its id, PUB_KEY_ID_... (ONEWINDOW_WECHATPAY_PUBLIC_KEY_ID). Empty: the sandbox's.")
    ] = ""

    @property
    def alipay_sandbox_dir(self) -> Path:
        """Where the sandbox keeps its and the merchant's key pairs (development only)."""
        return Path(self.data_dir) / "alipay-sandbox"

    @property
    def resolved_alipay_gateway(self) -> str:
        """The configured gateway, or the local sandbox's."""
        return self.alipay_gateway or f"http://127.0.0.1:{self.alipay_sandbox_port}/gateway.do"

    @property
    def wechatpay_sandbox_dir(self) -> Path:
        """Where the WeChat Pay sandbox keeps its keys and the merchant's (development only)."""
        return Path(self.data_dir) / "wechatpay-sandbox"

    @property
    def resolved_wechatpay_gateway(self) -> str:
        """The configured API base, or the local sandbox's (no trailing slash)."""
        return (self.wechatpay_gateway or f"http://127.0.0.1:{self.wechatpay_sandbox_port}").rstrip("/")


def channel_production_problems(settings: ChannelSettings) -> list[str]:
    """What keeps the channels' settings from production, each naming its variable."""
    problems = []
    if not (settings.alipay_gateway and settings.alipay_private_key_file and settings.alipay_public_key_file):
        problems.append(
            "payments need Alipay's gateway and keys (ONEWINDOW_ALIPAY_GATEWAY, _PRIVATE_KEY_FILE, _PUBLIC_KEY_FILE)"
        )
    wechat = (
        settings.wechatpay_gateway,
        settings.wechatpay_cert_serial_no,
        settings.wechatpay_private_key_file,
        settings.wechatpay_apiv3_key_file,
        settings.wechatpay_public_key_file,
        settings.wechatpay_public_key_id,
    )
    if not all(wechat):
        problems.append(
            "payments need WeChat Pay's gateway and keys (ONEWINDOW_WECHATPAY_GATEWAY, _CERT_SERIAL_NO, "
            "_PRIVATE_KEY_FILE, _APIV3_KEY_FILE, _PUBLIC_KEY_FILE, _PUBLIC_KEY_ID)"
        )
    return problems
