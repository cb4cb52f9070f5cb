"""RSA key pairs the payment sandboxes keep as PEM files, and the SHA256withRSA signing both channels use
(Alipay's RSA2, WeChat Pay's WECHATPAY2-SHA256-RSA2048)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

# Tests start hundreds of apps, each in a new data folder, and every start builds both channels from the
# sandboxes' key files: four 2048-bit keys (0.1 to 0.5 s of CPU each on a busy machine) per app. When this
# variable names a folder, each key is generated there once and copied into every folder that asks for it.
POOL_VARIABLE = "STANDINS_RSA_KEY_POOL"


def _new_private_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _public_pem(private_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _write(path: Path, content: bytes, secret: bool = False) -> None:
    """Write through a temporary file and rename: a reader never sees half a key (processes share the pool)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_bytes(content)
    if secret:
        partial.chmod(0o600)
    os.replace(partial, path)


def key_pair(folder: Path, name: str) -> tuple[str, str]:
    """The PEM pair `name` in `folder` (private, public), generated on first use (or copied from the pool)."""
    private_path, public_path = folder / f"{name}_private.pem", folder / f"{name}_public.pem"
    if not private_path.exists():
        pool = os.environ.get(POOL_VARIABLE)
        if pool:
            # Keyed by the folder's name too: the two sandboxes' "merchant" pairs stay two different keys. The
            # pool keeps only the private key (one file, so two processes racing to fill it never mix halves).
            pooled = Path(pool) / f"{folder.name}-{name}_private.pem"
            if not pooled.exists():
                _write(pooled, _new_private_pem(), secret=True)
            private = pooled.read_bytes()
        else:
            private = _new_private_pem()
        _write(public_path, _public_pem(private))
        _write(private_path, private, secret=True)  # last: its presence says the pair is complete
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
