"""The gateway with the real provider service (lurus-provider over a real PostgreSQL) and the fake upstream,
driven by the official SDK: a provider and model added through the admin API are served after one
refresh, at the price the admin API set; a provider whose key the gateway cannot read is skipped, not the
whole catalog; a provider disabled through the admin API stops being served."""

from __future__ import annotations


import httpx
import openai
import pytest

from conftest import BUILD, USER_MESSAGES, Proc, free_port, require_binary, service_env, tail, wait_until

PROVIDER_BIN = BUILD / "lurus-provider"
ADMIN_TOKEN = "provider-admin-token-SECRET-3"
GATEWAY_TOKEN = "provider-gateway-token-SECRET-8"


class ProviderService:
    def __init__(self, workdir, postgres, **extra: str):
        require_binary(PROVIDER_BIN)
        database = "lurus_provider"
        if postgres.run("psql", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "lurus", "-d", "postgres", "-tAc",
                        f"SELECT 1 FROM pg_database WHERE datname = '{database}'").strip() != "1":
            postgres.run("createdb", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "lurus", database)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = service_env(self.port, postgres, "lurus_provider", workdir, ADMIN_TOKEN, GATEWAY_TOKEN, **extra)
        self.log = workdir / f"provider-{self.port}.log"
        self.proc = Proc("provider", [str(PROVIDER_BIN)], env, self.log).start()
        self.http = httpx.Client(base_url=self.url, timeout=10, headers={"authorization": f"Bearer {ADMIN_TOKEN}"})

        def healthy():
            if not self.proc.alive():
                pytest.fail(f"lurus-provider exited:\n{tail(self.log)}", pytrace=False)
            try:
                return self.http.get("/health").status_code == 200
            except httpx.TransportError:
                return False

        wait_until(healthy, 30, what="lurus-provider to answer /health")

    def add(self, path: str, body: dict) -> dict:
        answer = self.http.post(path, json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def stop(self) -> None:
        self.proc.stop()


@pytest.fixture(scope="module")
def provider(workdir, postgres):
    service = ProviderService(workdir, postgres)
    yield service
    service.stop()


def models(gateway) -> set[str]:
    answer = gateway.http.get("/v1/models", headers=gateway.headers())
    return {entry["id"] for entry in answer.json()["data"]} if answer.status_code == 200 else set()


def test_a_provider_added_through_the_admin_api_is_served_after_one_refresh(make_gateway, provider, fake, jetstream,
                                                                             workdir):
    assert httpx.get(f"{provider.url}/v1/catalog", timeout=5).status_code == 401, "the catalog wants the token"
    token_file = workdir / "provider-gateway-token"
    token_file.write_text(GATEWAY_TOKEN)
    token_file.chmod(0o600)
    provider.add("/api/v1/providers", {"name": "alpha", "protocol": "openai",
                                       "base_url": fake.base("alpha", "openai"), "api_key_env": "ALPHA_KEY"})
    provider.add("/api/v1/models", {"provider": "alpha", "name": "gpt-test", "price": {"input": 1, "output": 2}})
    gateway = make_gateway("provider-real", PROVIDER_SERVICE_URL=provider.url, CATALOG_FILE=None,
                           CATALOG_REFRESH_SECONDS="1", BILLING_SKIP_CHECK="true", PROVIDER_TOKEN_FILE=str(token_file))
    assert "gpt-test" in models(gateway)
    client = openai.OpenAI(base_url=f"{gateway.url}/v1", api_key=gateway.headers()["authorization"].split()[-1],
                           max_retries=0)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="new-model", messages=USER_MESSAGES, max_tokens=8)

    # Added while the gateway runs: served within one refresh (1 s), at the price just set.
    provider.add("/api/v1/providers", {"name": "fresh", "protocol": "anthropic",
                                       "base_url": fake.base("fresh", "anthropic"), "api_key_env": "BETA_KEY"})
    provider.add("/api/v1/models", {"provider": "fresh", "name": "new-model", "upstream": "claude-upstream",
                                    "price": {"input": 3, "output": 15}})
    wait_until(lambda: "new-model" in models(gateway), 5, what="the gateway's next catalog refresh")
    raw = client.chat.completions.with_raw_response.create(model="new-model", messages=USER_MESSAGES, max_tokens=16)
    assert raw.parse().choices[0].message.content
    record = jetstream.wait_record(raw.headers["x-request-id"]).data
    assert record["provider"] == "fresh" and record["upstream_model"] == "claude-upstream"
    expected = (record["input_tokens"] * 3 + record["output_tokens"] * 15) / 1_000_000
    assert record["cost_usd"] == pytest.approx(expected, abs=1e-12)
    assert fake.requests("fresh")[-1]["path"].endswith("/messages"), "forwarded in the provider's protocol"

    # A provider whose key the gateway cannot read is skipped, and named; the rest still refresh.
    provider.add("/api/v1/providers", {"name": "keyless", "protocol": "openai",
                                       "base_url": fake.base("alpha", "openai"), "api_key_env": "NOT_SET_ANYWHERE"})
    provider.add("/api/v1/models", {"provider": "keyless", "name": "keyless-model"})
    provider.add("/api/v1/models", {"provider": "alpha", "name": "after-keyless"})
    wait_until(lambda: "after-keyless" in models(gateway), 5, what="a refresh despite the keyless provider")
    assert "keyless-model" not in models(gateway)
    health = gateway.http.get("/health").json()
    assert "keyless" in str(health), health

    # Disabled through the admin API: no longer served after a refresh.
    assert provider.http.patch("/api/v1/providers/fresh", json={"enabled": False}).status_code == 200
    wait_until(lambda: "new-model" not in models(gateway), 5, what="the disabled provider to leave the catalog")
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="new-model", messages=USER_MESSAGES, max_tokens=8)
