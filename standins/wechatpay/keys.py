"""The WeChat Pay sandbox's secrets, generated into one folder on first start: the merchant's API key
pair and certificate serial, the platform's public key pair with its PUB_KEY_ID, and the APIv3 key."""

from __future__ import annotations

import base64
import secrets
import string
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey


def _pair(folder: Path, name: str) -> tuple[str, str]:
    private_path, public_path = folder / f"{name}_private.pem", folder / f"{name}_public.pem"
    if not private_path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        private_path.chmod(0o600)
        public_path.write_bytes(
            key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    return private_path.read_text(), public_path.read_text()


def _secret(folder: Path, name: str, make: str) -> str:
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(make)
        path.chmod(0o600)
    return path.read_text().strip()


class SandboxKeys:
    """platform_* signs responses and notifications (the WeChat Pay public key mode); merchant_* signs
    the platform's requests; apiv3_key encrypts notifications."""

    def __init__(self, folder: Path) -> None:
        self.platform_private, self.platform_public = _pair(folder, "platform")
        self.merchant_private, self.merchant_public = _pair(folder, "merchant")
        alphabet = string.ascii_letters + string.digits
        self.apiv3_key = _secret(folder, "apiv3_key", "".join(secrets.choice(alphabet) for _ in range(32)))
        self.public_key_id = _secret(folder, "public_key_id", f"PUB_KEY_ID_{secrets.token_hex(12).upper()}")
        self.merchant_serial = _secret(folder, "merchant_serial", secrets.token_hex(20).upper())
        self._signer = serialization.load_pem_private_key(self.platform_private.encode(), password=None)
        self._merchant = serialization.load_pem_public_key(self.merchant_public.encode())

    def sign(self, content: str) -> str:
        """SHA256withRSA over UTF-8 content with the platform's key, base64."""
        assert isinstance(self._signer, RSAPrivateKey)
        return base64.b64encode(self._signer.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()

    def merchant_signed(self, content: str, signature: str) -> bool:
        """Whether the merchant signed this content."""
        assert isinstance(self._merchant, RSAPublicKey)
        try:
            self._merchant.verify(base64.b64decode(signature), content.encode(), padding.PKCS1v15(), hashes.SHA256())
        except Exception:  # InvalidSignature, or garbage that is not base64
            return False
        return True
