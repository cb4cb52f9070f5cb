"""`onewindow serve` from a fresh data folder: it migrates, imports, and answers over real HTTP."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize("server_env", ["embedded", "postgresql+redis"], indirect=True)
def test_fresh_server_answers_health_and_graphql(served: str, server_env: dict[str, str]) -> None:
    with httpx.Client(base_url=served, timeout=30) as client:
        health = client.get("/health")
        assert health.status_code == 200, health.text
        body = health.json()
        assert body["database"]["status"] == "up" and body["redis"]["status"] == "up"
        expected_db = "postgresql" if "ONEWINDOW_DATABASE_URL" in server_env else "sqlite"
        assert body["database"]["detail"].startswith(expected_db)

        names = {}
        for language in ("zh-CN", "zh-TW", "en"):
            response = client.post(
                "/graphql",
                json={"query": "{ matters(first: 3) { edges { node { code name } } } }"},
                headers={"accept-language": language},
            )
            edges = response.json()["data"]["matters"]["edges"]
            assert [e["node"]["code"] for e in edges] == ["GZ-CGJ-0001", "GZ-CGJ-0002", "GZ-CGJ-0003"]
            names[language] = edges[0]["node"]["name"]
        assert names == {"zh-CN": "户外招牌设置", "zh-TW": "戶外招牌設置", "en": "Installation of a Shop Signboard"}
