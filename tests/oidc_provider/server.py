"""Start and stop the loopback OpenID Connect provider in a second process.

    provider = LoopbackOIDCProvider(tmp_dir, redirect_uris=[...], users=[ProviderUser(...)])
    provider.start()      # key, database, users, client; then runserver on a free loopback port
    provider.issuer       # http://127.0.0.1:<port>/o  (discovery under /.well-known/)
    provider.stop()

Nothing is downloaded: the provider is django-oauth-toolkit from the portal's own environment.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ProviderUser:
    username: str
    email: str
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    given_name: str = "Test"
    family_name: str = "Teacher"
    verified: bool = True  # the provider's email_verified claim
    mfa: bool = False  # the provider's amr claim says "mfa"


class LoopbackOIDCProvider:
    def __init__(self, state_dir: Path, *, redirect_uris: list[str], users: list[ProviderUser]) -> None:
        self.state_dir = state_dir
        self.redirect_uris = redirect_uris
        self.users = users
        self.client_id = "insight-portal-test"
        self.client_secret = secrets.token_urlsafe(32)
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.origin}/o"

    def _env(self) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "OIDC_"))}
        return {
            **clean,
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "OIDC_TEST_DIR": str(self.state_dir),
            "PYTHONPATH": str(ROOT),
        }

    def start(self, timeout: float = 30.0) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.state_dir.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (self.state_dir / "key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        (self.state_dir / "seed.json").write_text(
            json.dumps(
                {
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "redirect_uris": self.redirect_uris,
                    "users": [asdict(u) for u in self.users],
                }
            )
        )
        subprocess.run(
            [sys.executable, "-m", "tests.oidc_provider.seed"], cwd=ROOT, env=self._env(), check=True, timeout=120
        )
        log = (self.state_dir / "server.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload", "--skip-checks"],
            cwd=ROOT,
            env=self._env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        discovery = f"{self.issuer}/.well-known/openid-configuration"
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"The loopback OIDC provider exited: {self.log()}")
            try:
                with urllib.request.urlopen(discovery, timeout=2) as response:  # noqa: S310 (loopback http)
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"The loopback OIDC provider did not answer within {timeout} s: {self.log()}")
            time.sleep(0.2)

    def log(self) -> str:
        path = self.state_dir / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
