"""Key pairs of the sandbox (Alipay's) and of the merchant, kept as PEM files in one folder."""

from __future__ import annotations

import base64
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


class SandboxKeys:
    """alipay_* sign responses and notifications; merchant_* is what the platform signs requests with."""

    def __init__(self, folder: Path) -> None:
        self.alipay_private, self.alipay_public = _pair(folder, "alipay")
        self.merchant_private, self.merchant_public = _pair(folder, "merchant")
        self._signer = serialization.load_pem_private_key(self.alipay_private.encode(), password=None)
        self._merchant = serialization.load_pem_public_key(self.merchant_public.encode())

    def sign(self, content: str) -> str:
        """RSA2 (SHA256withRSA) over UTF-8 content, base64."""
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
