"""The gateway with the real billing service (lurus-billing over a real PostgreSQL) and the fake upstream,
driven by the official SDKs: a request charged exactly the catalog price of its tokens, a key out of balance
or over budget refused in its client's own format, a revoked key refused after one refresh, and 200
concurrent streams on one small balance that never goes below zero."""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from pathlib import Path

import anthropic
import httpx
import openai
import pytest

from conftest import (BUILD, USER_MESSAGES, JetStreamReader, NatsServer, PostgresServer, Proc, free_port, metric_value,
                      require_binary, service_env, tail, wait_until)

BILLING_BIN = BUILD / "lurus-billing"
ADMIN_TOKEN = "admin-token-SECRET-7"
GATEWAY_TOKEN = "gateway-service-token-SECRET-5"


class Billing:
    def __init__(self, workdir: Path, postgres: PostgresServer, nats_url: str, **extra: str):
        require_binary(BILLING_BIN)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = service_env(self.port, postgres, "lurus", workdir, ADMIN_TOKEN, GATEWAY_TOKEN,
                          POSTGRES_MAX_CONNECTIONS="20", NATS_URL=nats_url, USAGE_ACK_WAIT_SECONDS="2",
                          RESERVATIONS_EXPIRY_SWEEP_SECONDS="1", **extra)
        self.log = workdir / f"billing-{self.port}.log"
        self.proc = Proc("billing", [str(BILLING_BIN)], env, self.log).start()
        self.http = httpx.Client(base_url=self.url, timeout=10, headers={"authorization": f"Bearer {ADMIN_TOKEN}"})

        def healthy():
            if not self.proc.alive():
                pytest.fail(f"lurus-billing exited:\n{tail(self.log)}", pytrace=False)
            return self.http.get("/health").json()["checks"]["usage_events"]["ok"]

        wait_until(healthy, 30, what="lurus-billing to consume usage events")

    def customer(self, balance: str | None, **limits) -> dict:
        user = self.http.post("/api/v1/users", json={"name": f"team-{uuid.uuid4().hex[:6]}"}).json()
        if balance is not None:
            topup = self.http.post(f"/api/v1/users/{user['id']}/topups", json={"amount": balance},
                                   headers={"Idempotency-Key": uuid.uuid4().hex})
            assert topup.status_code == 201, topup.text
        key = self.http.post(f"/api/v1/users/{user['id']}/keys", json={"name": "sdk", **limits})
        assert key.status_code == 201, key.text
        return {"user": user["id"], "key_id": key.json()["id"], "key": key.json()["key"]}

    def user(self, user_id: str) -> dict:
        return self.http.get(f"/api/v1/users/{user_id}").json()

    def ledger(self, user_id: str) -> list[dict]:
        return self.http.get(f"/api/v1/users/{user_id}/ledger", params={"limit": 1000}).json()["entries"]

    def stop(self) -> None:
        self.proc.stop()


@pytest.fixture(scope="module")
def billing(workdir, postgres, nats_server):
    service = Billing(workdir, postgres, nats_server.url)
    yield service
    service.stop()


@pytest.fixture(scope="module")
def gateway_token_file(workdir) -> Path:
    path = workdir / "billing-gateway-token"
    path.write_text(GATEWAY_TOKEN + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def billed(make_gateway, billing, gateway_token_file):
    """A gateway whose keys and holds come from the real billing service (keys refreshed every second,
    leases spent for one second)."""
    return make_gateway("billing-real", BILLING_SERVICE_URL=billing.url, KEYS_REFRESH_SECONDS="1",
                        KEYS_FILE=None, BILLING_TIMEOUT_MS="2000", BILLING_LEASE_SECONDS="1",
                        BILLING_TOKEN_FILE=str(gateway_token_file))


def test_the_gateways_routes_want_its_service_token(billing):
    customer = billing.customer("1.00")
    for headers in ({}, {"authorization": "Bearer not-the-token"}, {"authorization": f"Bearer {ADMIN_TOKEN}"}):
        keys = httpx.get(f"{billing.url}/v1/keys", headers=headers, timeout=5)
        assert keys.status_code == 401 and "service token" in keys.json()["error"]["message"]
        lease = httpx.post(f"{billing.url}/v1/leases", headers=headers, timeout=5,
                           json={"lease_id": "lease_x", "key_id": customer["key_id"], "want_micros": 100})
        assert lease.status_code == 401
    assert billing.user(customer["user"])["reserved"] == "0.000000", "nothing was held"
    good = {"authorization": f"Bearer {GATEWAY_TOKEN}"}
    assert httpx.get(f"{billing.url}/v1/keys", headers=good, timeout=5).status_code == 200


def micros(decimal: str) -> int:
    whole, _, fraction = decimal.lstrip("-").partition(".")
    value = int(whole) * 1_000_000 + int((fraction + "000000")[:6])
    return -value if decimal.startswith("-") else value


def wait_settled(billing: Billing, user: str, count: int) -> list[dict]:
    return wait_until(lambda: (lambda rows: rows if len(rows) >= count else None)(
        [e for e in billing.ledger(user) if e["kind"] == "usage"]), 15, what=f"{count} usage rows in the ledger")


def wait_for_key(gateway, key: str) -> None:
    wait_until(lambda: gateway.http.get("/v1/models", headers={"authorization": f"Bearer {key}"}).status_code == 200,
               5, what="the gateway to take the new key from billing")


def test_a_request_is_charged_exactly_the_catalog_price_of_its_tokens(billed, billing, jetstream):
    customer = billing.customer("1.00")
    wait_for_key(billed, customer["key"])
    client = openai.OpenAI(base_url=f"{billed.url}/v1", api_key=customer["key"], max_retries=0)
    raw = client.chat.completions.with_raw_response.create(model="gpt-test", messages=USER_MESSAGES, max_tokens=64)
    request_id = raw.headers["x-request-id"]
    record = jetstream.wait_record(request_id)
    # The catalog's gpt-test on alpha: input $1/M, output $2/M, cache reads and writes free.
    expected = record.data["input_tokens"] * 1 + record.data["output_tokens"] * 2
    assert expected > 0
    rows = wait_settled(billing, customer["user"], 1)
    assert rows[0]["request_id"] == request_id
    assert micros(rows[0]["amount"]) == -expected
    assert micros(billing.user(customer["user"])["balance"]) == 1_000_000 - expected
    # The lease the request was held on is given back after its one-second window.
    wait_until(lambda: billing.user(customer["user"])["reserved"] == "0.000000", 10,
               what="the gateway to give its lease back and the usage to settle it")
    assert micros(billing.user(customer["user"])["balance"]) == 1_000_000 - expected


def lease_calls(billing: Billing) -> int:
    text = httpx.get(f"{billing.url}/metrics", timeout=5).text
    return sum(int(float(line.split()[-1])) for line in text.splitlines()
               if line.startswith("lurus_billing_leases_total{") and 'verdict="reserved"' in line)


def test_requests_are_held_on_leases_not_one_billing_call_each(billed, billing):
    customer = billing.customer("5.00")
    wait_for_key(billed, customer["key"])
    before = lease_calls(billing)
    client = openai.OpenAI(base_url=f"{billed.url}/v1", api_key=customer["key"], max_retries=0)
    for _ in range(60):
        client.chat.completions.create(model="gpt-test", messages=USER_MESSAGES, max_tokens=64)
    leases = lease_calls(billing) - before
    assert 1 <= leases <= 10, f"{leases} leases for 60 requests"
    rows = wait_settled(billing, customer["user"], 60)
    assert all(row["shortfall"] == "0.000000" for row in rows)
    wait_until(lambda: billing.user(customer["user"])["reserved"] == "0.000000", 10,
               what="every lease given back and settled")
    charged = -sum(micros(row["amount"]) for row in rows)
    assert micros(billing.user(customer["user"])["balance"]) == 5_000_000 - charged


def test_a_key_with_a_request_rate_is_held_per_request_and_limited_exactly(billed, billing):
    customer = billing.customer("5.00", requests_per_minute=3)
    wait_for_key(billed, customer["key"])
    client = openai.OpenAI(base_url=f"{billed.url}/v1", api_key=customer["key"], max_retries=0)
    for _ in range(3):
        client.chat.completions.create(model="gpt-test", messages=USER_MESSAGES, max_tokens=8)
    with pytest.raises(openai.RateLimitError) as raised:
        client.chat.completions.create(model="gpt-test", messages=USER_MESSAGES, max_tokens=8)
    assert "rate limit" in str(raised.value)


def test_a_key_out_of_balance_is_refused_in_each_clients_format(billed, billing):
    customer = billing.customer(None)
    wait_for_key(billed, customer["key"])
    with pytest.raises(openai.APIStatusError) as raised:
        openai.OpenAI(base_url=f"{billed.url}/v1", api_key=customer["key"], max_retries=0).chat.completions.create(
            model="gpt-test", messages=USER_MESSAGES)
    assert raised.value.status_code == 402 and "balance" in str(raised.value)
    with pytest.raises(anthropic.APIStatusError) as refused:
        anthropic.Anthropic(base_url=billed.url, api_key=customer["key"], max_retries=0).messages.create(
            model="gpt-test", max_tokens=16, messages=USER_MESSAGES)
    assert refused.value.status_code == 402
    assert refused.value.body["type"] == "error" and "balance" in refused.value.body["error"]["message"]


def test_a_key_over_its_budget_is_refused_saying_so(billed, billing):
    customer = billing.customer("10.00", budget="0.000100", budget_period="day")
    wait_for_key(billed, customer["key"])
    with pytest.raises(openai.APIStatusError) as raised:
        openai.OpenAI(base_url=f"{billed.url}/v1", api_key=customer["key"], max_retries=0).chat.completions.create(
            model="gpt-test", messages=USER_MESSAGES, max_tokens=500)
    assert raised.value.status_code == 402 and "budget" in str(raised.value)


def test_a_revoked_key_is_refused_within_one_refresh(billed, billing):
    customer = billing.customer("1.00")
    wait_for_key(billed, customer["key"])
    client = openai.OpenAI(base_url=f"{billed.url}/v1", api_key=customer["key"], max_retries=0)
    client.chat.completions.create(model="gpt-test", messages=USER_MESSAGES, max_tokens=8)
    assert billing.http.delete(f"/api/v1/keys/{customer['key_id']}").status_code == 200
    time.sleep(2.5)  # KEYS_REFRESH_SECONDS=1: at most one refresh later (and the hold would be refused anyway)
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="gpt-test", messages=USER_MESSAGES, max_tokens=8)


def test_200_concurrent_streams_on_one_small_balance_never_go_below_zero(billed, billing):
    # Each stream holds (body bytes / 3 + 1) × $1/M + 50 × $2/M ≈ 140 µ$; 2,000 µ$ admit about 14 at once.
    customer = billing.customer("0.002000")
    wait_for_key(billed, customer["key"])

    async def one(client: openai.AsyncOpenAI) -> str:
        try:
            stream = await client.chat.completions.create(
                model="gpt-test", messages=USER_MESSAGES, max_tokens=50, stream=True)
            async for _ in stream:
                pass
            return "served"
        except openai.APIStatusError as error:
            assert error.status_code == 402, (error.status_code, error.body)
            assert set(error.body) == {"message", "type", "param", "code"} or "message" in error.body, error.body
            return "refused"

    async def run() -> list[str]:
        client = openai.AsyncOpenAI(base_url=f"{billed.url}/v1", api_key=customer["key"], max_retries=0,
                                    http_client=httpx.AsyncClient(limits=httpx.Limits(max_connections=200), timeout=30))
        results = await asyncio.gather(*(one(client) for _ in range(200)))
        await client.close()
        return results

    results = asyncio.run(run())
    served = results.count("served")
    assert served >= 1 and results.count("refused") == 200 - served
    rows = wait_settled(billing, customer["user"], served)
    user = billing.user(customer["user"])
    assert micros(user["balance"]) >= 0
    assert user["reserved"] == "0.000000" or micros(user["reserved"]) >= 0
    charged = -sum(micros(row["amount"]) for row in rows)
    assert charged == 2_000 - micros(user["balance"]), "the wallet is the sum of its ledger"
    assert all(row["shortfall"] == "0.000000" for row in rows), "every served stream fit in its hold"
    # Refused requests are in the ledger too, at no cost.
    cheapest = min(-micros(row["amount"]) for row in rows if micros(row["amount"]) != 0)
    assert served * cheapest <= 2_000, f"{served} streams of at least {cheapest} µ$ on 2,000 µ$"


def test_a_spool_replayed_after_the_streams_duplicate_window_is_charged_once(make_gateway, postgres, workdir,
                                                                             gateway_token_file):
    """The gateway spools five requests while NATS is down; a copy of its spool is kept (a restored disk
    snapshot, a second replica started on the same volume). NATS comes back, the spool is replayed and
    billed. After the stream's real 120 s duplicate window the copy is replayed too: NATS stores every
    event again (it no longer knows their ids), and the ledger still charges each request once."""
    nats = NatsServer(workdir, name="nats-window").start()
    own = Billing(workdir, postgres, nats.url)
    reader = JetStreamReader(nats.url)
    spool = workdir / "spool-window"
    try:
        customer = own.customer("1.00")
        first = make_gateway("window-gateway-1", NATS_URL=nats.url, SPOOL_DIRECTORY=str(spool),
                             BILLING_SERVICE_URL=own.url, KEYS_FILE=None, KEYS_REFRESH_SECONDS="1",
                             BILLING_LEASE_SECONDS="1", BILLING_TOKEN_FILE=str(gateway_token_file))
        wait_for_key(first, customer["key"])
        wait_until(lambda: reader.stream_info("BILLING_EVENTS"), 5, what="BILLING_EVENTS to exist")
        nats.stop()
        wait_until(lambda: metric_value(first.metrics(), "lurus_gateway_nats_connected") == 0, 5,
                   what="the gateway to notice NATS is gone")
        client = openai.OpenAI(base_url=f"{first.url}/v1", api_key=customer["key"], max_retries=0)
        request_ids = [client.chat.completions.with_raw_response.create(
            model="gpt-test", messages=USER_MESSAGES, max_tokens=32).headers["x-request-id"] for _ in range(5)]
        wait_until(lambda: metric_value(first.metrics(), "lurus_gateway_usage_events_spooled_total") >= 15, 5,
                   what="15 spooled events (5 records × 3 subjects)")
        copy = workdir / "spool-window-copy"
        shutil.copytree(spool, copy)

        nats.start()
        rows = wait_settled(own, customer["user"], 5)
        replayed_at = time.monotonic()
        assert sorted(row["request_id"] for row in rows) == sorted(request_ids)
        assert first.stop(timeout=15) == 0
        assert len(reader.messages("BILLING_EVENTS", "billing.usage")) == 5

        time.sleep(max(0.0, 122 - (time.monotonic() - replayed_at)))  # past the stream's 120 s window
        second = make_gateway("window-gateway-2", NATS_URL=nats.url, SPOOL_DIRECTORY=str(copy),
                              BILLING_SERVICE_URL=own.url, KEYS_FILE=None, BILLING_TOKEN_FILE=str(gateway_token_file))
        wait_until(lambda: len(reader.messages("BILLING_EVENTS", "billing.usage")) == 10, 15,
                   what="NATS to store the replayed events again, the window having passed")
        wait_until(lambda: metric_value(httpx.get(f"{own.url}/metrics", timeout=5).text,
                                        "lurus_billing_usage_duplicates_total") >= 5, 15,
                   what="billing to see the five replayed events as duplicates")
        rows = [e for e in own.ledger(customer["user"]) if e["kind"] == "usage"]
        assert sorted(row["request_id"] for row in rows) == sorted(request_ids), "one row per request"
        wait_until(lambda: own.user(customer["user"])["reserved"] == "0.000000", 10, what="the leases given back")
        charged = -sum(micros(row["amount"]) for row in rows)
        assert charged > 0 and micros(own.user(customer["user"])["balance"]) == 1_000_000 - charged
        second.stop()
    finally:
        own.stop()
        nats.stop()
