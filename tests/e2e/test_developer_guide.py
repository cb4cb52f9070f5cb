"""The developer guide's examples, run as written against a real server: a third-party developer who
follows graphql/README.md signs a sandbox persona in, reads extensions.cost, meets MAX_COST_EXCEEDED
and THROTTLED where the guide says, and calls a trusted document over GET with a 304 on revalidation."""

from __future__ import annotations

import re
import secrets
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import BIN, onewindow

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "graphql" / "README.md"
REDIRECT_URI = "http://127.0.0.1:8100/callback"


def python_examples(text: str) -> list[str]:
    """The guide's ```python blocks, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


@pytest.fixture
def server_env(server_env: dict[str, str]) -> dict[str, str]:
    """The server's environment with the platform's own cost limits (the guide states them; the suite's
    other servers have bottomless ones), the demo data and the personas loaded before it starts."""
    documented = {name: value for name, value in server_env.items() if not name.startswith("ONEWINDOW_COST_")}
    onewindow(documented, "seed")
    return documented


def test_the_guide_lists_examples_for_every_promise() -> None:
    """Each thing the issue asks the guide to show has an example the next test runs."""
    examples = "\n".join(python_examples(GUIDE.read_text(encoding="utf-8")))
    for promise in ("sign_in_persona", "refresh_token", "extensions", "dryRun", "MAX_COST_EXCEEDED", "THROTTLED"):
        assert promise in examples, promise
    for promise in ("documentId", "if-none-match", "access-control-allow-origin"):
        assert promise in examples, promise
    for promise in ("standardwebhooks", "createWebhookSubscription", "webhookDeliveries", "consent.granted"):
        assert promise in examples, promise


def test_a_developer_following_the_guide_gets_what_it_promises(served: str, server_env: dict[str, str]) -> None:
    """Register a sandbox app as section 1 says, then run every example of the guide in order."""
    created = onewindow(
        server_env,
        "clients",
        "create",
        "--sandbox",
        "--public",
        "--name",
        "Guide reader",
        "--redirect-uri",
        REDIRECT_URI,
        "--scope",
        "openid",
        "--scope",
        "applications:read",
        "--scope",
        "applications:write",
    )
    client_id = re.search(r"client_id:\s+(\S+)", created).group(1)  # type: ignore[union-attr]
    # The app's developer (section 1): a staff account with the developer role, linked to the app.
    password = "guide-developer-" + secrets.token_urlsafe(12)
    staff = ("--username", "dev.guide", "--name", "Guide developer", "--role", "developer", "--password", password)
    onewindow(server_env, "staff", "create", *staff)
    onewindow(server_env, "clients", "add-developer", client_id, "dev.guide")
    login = "mutation($u: String!, $p: String!) { staffLogin(username: $u, password: $p) { accessToken } }"
    developer = httpx.post(f"{served}/graphql", json={"query": login, "variables": {"u": "dev.guide", "p": password}})
    namespace: dict[str, Any] = {
        "PLATFORM": served,
        "CLIENT_ID": client_id,
        "REDIRECT_URI": REDIRECT_URI,
        "PERSONA_PHONE": "17000000001",  # the guide's `resident` persona
        "DEVELOPER_TOKEN": developer.json()["data"]["staffLogin"]["accessToken"],
        "CATALOG_OPERATIONS": str(ROOT / "graphql" / "operations" / "catalog.graphql"),
    }
    # The platform's job worker sends the webhooks (section 11), as `make run` starts one beside the server.
    worker = subprocess.Popen([str(BIN / "onewindow"), "worker"], env=server_env, stdout=subprocess.DEVNULL)
    try:
        for number, example in enumerate(python_examples(GUIDE.read_text(encoding="utf-8")), start=1):
            try:
                exec(compile(example, f"graphql/README.md example {number}", "exec"), namespace)  # noqa: S102
            except Exception as error:
                raise AssertionError(f"the guide's example {number} fails:\n{example}") from error
    finally:
        worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=30) == 0
