"""RSA key pairs the payment sandboxes keep as PEM files, and the SHA256withRSA signing both channels use
(Alipay's RSA2, WeChat Pay's WECHATPAY2-SHA256-RSA2048)."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey


def key_pair(folder: Path, name: str) -> tuple[str, str]:
    """The PEM pair `name` in `folder` (private, public), generated on first use."""
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


class SigningKeys:
    """The channel's signing key and the merchant's public key: sign as the channel, check the merchant."""

    def __init__(self, signer_private: str, merchant_public: str) -> None:
        self._signer = serialization.load_pem_private_key(signer_private.encode(), password=None)
        self._merchant = serialization.load_pem_public_key(merchant_public.encode())

    def sign(self, content: str) -> str:
        """SHA256withRSA over UTF-8 content with the channel's key, base64."""
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
