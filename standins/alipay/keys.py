"""Key pairs of the sandbox (Alipay's) and of the merchant, kept as PEM files in one folder."""

from __future__ import annotations

from pathlib import Path

from standins.rsa_keys import SigningKeys, key_pair


class SandboxKeys(SigningKeys):
    """alipay_* sign responses and notifications; merchant_* is what the platform signs requests with."""

    def __init__(self, folder: Path) -> None:
        self.alipay_private, self.alipay_public = key_pair(folder, "alipay")
        self.merchant_private, self.merchant_public = key_pair(folder, "merchant")
        super().__init__(self.alipay_private, self.merchant_public)
