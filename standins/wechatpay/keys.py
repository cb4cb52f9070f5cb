"""The WeChat Pay sandbox's secrets, generated into one folder on first start: the merchant's API key
pair and certificate serial, the platform's public key pair with its PUB_KEY_ID, and the APIv3 key."""

from __future__ import annotations

import secrets
import string
from pathlib import Path

from standins.rsa_keys import SigningKeys, key_pair


def _secret(folder: Path, name: str, make: str) -> str:
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(make)
        path.chmod(0o600)
    return path.read_text().strip()


class SandboxKeys(SigningKeys):
    """platform_* signs responses and notifications (the WeChat Pay public key mode); merchant_* signs
    the platform's requests; apiv3_key encrypts notifications."""

    def __init__(self, folder: Path) -> None:
        self.platform_private, self.platform_public = key_pair(folder, "platform")
        self.merchant_private, self.merchant_public = key_pair(folder, "merchant")
        alphabet = string.ascii_letters + string.digits
        self.apiv3_key = _secret(folder, "apiv3_key", "".join(secrets.choice(alphabet) for _ in range(32)))
        self.public_key_id = _secret(folder, "public_key_id", f"PUB_KEY_ID_{secrets.token_hex(12).upper()}")
        self.merchant_serial = _secret(folder, "merchant_serial", secrets.token_hex(20).upper())
        super().__init__(self.platform_private, self.merchant_public)
