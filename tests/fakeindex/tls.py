"""A self-signed certificate for 127.0.0.1, made by the openssl command, and the server
context that serves it (for the TLS tests)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path


def openssl_missing() -> bool:
    return shutil.which("openssl") is None


def self_signed(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """(the certificate's path, a server context serving it); needs `openssl`."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context
