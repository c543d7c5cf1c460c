"""The gateway and the real log service end to end: requests made with the official SDKs (openai, anthropic,
google-genai) through the fake upstream, their records published by the gateway on a real nats-server
(LOG_EVENTS), ingested by lurus-logs into a real ClickHouse 18.16, and read back through `/api/v1/logs`
and `/api/v1/stats` with the tokens the clients were told, the catalog's cost, the key and its user."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import anthropic
import httpx
import openai
import pytest
from google import genai

from conftest import (BUILD, CLIENT_KEY, NATS_PASSWORD, NATS_USER, USER_MESSAGES, ClickHouseServer, JetStreamReader,
                      NatsServer, Proc, free_port, require_binary, tail, wait_until)

LOGS_BIN = BUILD / "lurus-logs"
ADMIN_TOKEN = "logs-admin-token-SECRET-3"
KEY_ID = "key_sdk_logs"
USER_ID = "usr_sdk_logs"


class LogService:
    def __init__(self, workdir: Path, clickhouse: ClickHouseServer, nats: NatsServer, **extra: str):
        require_binary(LOGS_BIN)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        nats_password = workdir / f"logs-nats-{self.port}.password"
        nats_password.write_text(NATS_PASSWORD)
        nats_password.chmod(0o600)
        env = {
            "PATH": "/usr/bin:/bin", "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(self.port), "LOG_LEVEL": "info",
            "CLICKHOUSE_URL": clickhouse.url, "CLICKHOUSE_USER": "lurus",
            "CLICKHOUSE_PASSWORD_FILE": str(clickhouse.password_file),
            "NATS_URL": f"nats://127.0.0.1:{nats.port}", "NATS_USER": NATS_USER,
            "NATS_PASSWORD_FILE": str(nats_password),
            "ADMIN_TOKEN_SHA256": hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest(),
            # Traffic here is a few requests: a batch is stored 200 ms after its first record.
            "INGEST_BATCH_MILLISECONDS": "200",
            **extra,
        }
        self.log = workdir / f"logs-{self.port}.log"
        self.proc = Proc("logs", [str(LOGS_BIN)], env, self.log).start()
        self.http = httpx.Client(base_url=self.url, timeout=10, headers={"authorization": f"Bearer {ADMIN_TOKEN}"})

        def healthy():
            if not self.proc.alive():
                pytest.fail(f"lurus-logs exited:\n{tail(self.log)}", pytrace=False)
            return self.http.get("/health").status_code == 200

        wait_until(healthy, 30, what="lurus-logs to be healthy (ClickHouse migrated, LOG_EVENTS consumed)")

    def logs(self, **params) -> dict:
        answer = self.http.get("/api/v1/logs", params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def stop(self) -> None:
        self.proc.stop()


@dataclass
class Sent:
    """One request made with an SDK, and what its client was told."""

    request_id: str
    client: str
    model: str
    provider: str
    stream: bool
    outcome: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    # OpenAI's prompt_tokens and Gemini's prompt_token_count include the cached tokens (read and written);
    # Anthropic's input_tokens and the record keep them apart.
    prompt_includes_cache: bool = False


def openai_usage(usage) -> tuple[int, int, int, bool]:
    cached = usage.prompt_tokens_details.cached_tokens if usage.prompt_tokens_details else 0
    return usage.prompt_tokens, usage.completion_tokens, cached or 0, True


@pytest.fixture(scope="module")
def stack(workdir, session_factory, fake, tmp_path_factory):
    """nats-server, ClickHouse, lurus-logs and a gateway whose keys file names the key's user."""
    nats = NatsServer(workdir, name="nats-logs").start()
    clickhouse = ClickHouseServer(workdir)
    keys = tmp_path_factory.mktemp("logs-keys") / "keys.json"
    keys.write_text(json.dumps({"keys": [
        {"id": KEY_ID, "sha256": hashlib.sha256(CLIENT_KEY.encode()).hexdigest(), "user_id": USER_ID}]}))
    gateway = session_factory.make("gateway-logs", NATS_URL=nats.url, KEYS_FILE=str(keys))
    # The gateway declares LOG_EVENTS when it connects; the log service starts after, so neither races the other.
    reader = JetStreamReader(nats.url)
    wait_until(lambda: reader.stream_info("LOG_EVENTS"), 10, what="the gateway to declare LOG_EVENTS")
    logs = LogService(workdir, clickhouse, nats)
    yield gateway, logs, reader, clickhouse
    gateway.stop()
    logs.stop()
    clickhouse.stop()
    nats.stop()


@pytest.fixture(scope="module")
def traffic(stack, fake) -> list[Sent]:
    """Seven requests of every kind the log shows: each SDK, complete and streamed, a failover, an upstream
    failure and an unknown model."""
    gateway, _, _, _ = stack
    fake.reset()
    sent: list[Sent] = []
    oa = openai.OpenAI(base_url=f"{gateway.url}/v1", api_key=CLIENT_KEY, max_retries=0, timeout=15)

    raw = oa.chat.completions.with_raw_response.create(model="gpt-test", messages=USER_MESSAGES)
    usage = raw.parse().usage
    sent.append(Sent(raw.headers["x-request-id"], "openai", "gpt-test", "alpha", False, "ok",
                     *openai_usage(usage)))

    raw = oa.chat.completions.with_raw_response.create(
        model="gpt-test", messages=USER_MESSAGES, stream=True, stream_options={"include_usage": True})
    chunks = list(raw.parse())
    usage = next(c.usage for c in reversed(chunks) if c.usage)
    sent.append(Sent(raw.headers["x-request-id"], "openai", "gpt-test", "alpha", True, "ok",
                     *openai_usage(usage)))

    an = anthropic.Anthropic(base_url=gateway.url, api_key=CLIENT_KEY, max_retries=0, timeout=15)
    raw = an.messages.with_raw_response.create(model="claude-test", max_tokens=32, messages=USER_MESSAGES)
    usage = raw.parse().usage
    sent.append(Sent(raw.headers["x-request-id"], "anthropic", "claude-test", "beta", False, "ok",
                     usage.input_tokens, usage.output_tokens, usage.cache_read_input_tokens or 0))

    with an.messages.stream(model="gpt-test", max_tokens=32, messages=USER_MESSAGES) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
        request_id = stream.response.headers["x-request-id"]
    assert text == "Hello from alpha!"
    sent.append(Sent(request_id, "anthropic", "gpt-test", "alpha", True, "ok",
                     final.usage.input_tokens, final.usage.output_tokens, final.usage.cache_read_input_tokens or 0))

    gm = genai.Client(api_key=CLIENT_KEY, http_options={"base_url": gateway.url, "api_version": "v1beta",
                                                        "timeout": 15000})
    answer = gm.models.generate_content(model="gemini-test", contents="Say hello.")
    assert answer.text == "Hello from gem!"
    meta = answer.usage_metadata
    sent.append(Sent("", "google-genai", "gemini-test", "gem", False, "ok", meta.prompt_token_count,
                     meta.candidates_token_count, meta.cached_content_token_count or 0, True))

    fake.script("alpha", {"kind": "status", "status": 500})
    raw = oa.chat.completions.with_raw_response.create(model="gpt-test", messages=USER_MESSAGES)
    usage = raw.parse().usage
    sent.append(Sent(raw.headers["x-request-id"], "openai", "gpt-test", "beta", False, "ok",
                     *openai_usage(usage)))

    fake.script("alpha", {"kind": "status", "status": 500})
    fake.script("beta", {"kind": "status", "status": 500})
    with pytest.raises(openai.APIStatusError) as failed:
        oa.chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    sent.append(Sent(failed.value.response.headers["x-request-id"], "openai", "gpt-test", "", False,
                     "upstream_error", 0, 0))

    with pytest.raises(openai.NotFoundError) as unknown:
        oa.chat.completions.create(model="no-such-model", messages=USER_MESSAGES)
    sent.append(Sent(unknown.value.response.headers["x-request-id"], "openai", "unknown", "", False,
                     "client_error", 0, 0))
    fake.wait_idle(8)
    return sent


def stored(logs: LogService, count: int) -> list[dict]:
    return wait_until(lambda: (lambda rows: rows if len(rows) >= count else None)(
        logs.logs(key=KEY_ID, limit=1000)["data"]), 15, what=f"{count} requests queryable in /api/v1/logs")


def micros(decimal: str) -> int:
    return int(Decimal(decimal) * 1_000_000)


def test_every_sdk_request_is_queryable_once_with_its_tokens_cost_key_and_user(stack, traffic):
    _, logs, reader, _ = stack
    rows = stored(logs, len(traffic))
    assert len(rows) == len(traffic), [r["request_id"] for r in rows]
    by_id = {row["request_id"]: row for row in rows}
    assert len(by_id) == len(rows), "each request once"
    gemini = [row for row in rows if row["model"] == "gemini-test"]
    assert len(gemini) == 1
    published = {m.data["request_id"]: m.data for m in reader.messages("LOG_EVENTS", "log.write")}
    for request in traffic:
        row = gemini[0] if request.client == "google-genai" else by_id[request.request_id]
        record = published[row["request_id"]]
        label = f"{request.client} {request.model} stream={request.stream}"
        assert (row["key_id"], row["user_id"]) == (KEY_ID, USER_ID), label
        assert row["model"] == request.model and row["outcome"] == request.outcome, (label, row)
        if request.provider:
            assert row["provider"] == request.provider, (label, row)
        assert row["stream"] is request.stream, label
        # The tokens the client was told, and the record the gateway published, to the token.
        told = (request.input_tokens, request.output_tokens, request.cache_read_tokens)
        prompt = row["input_tokens"] + (row["cache_read_tokens"] + row["cache_write_tokens"]
                                        if request.prompt_includes_cache else 0)
        assert (prompt, row["output_tokens"], row["cache_read_tokens"]) == told, (label, row)
        for field in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "status",
                      "attempts", "provider", "platform", "upstream_model", "lease_id"):
            assert row[field] == record.get(field), (label, field, row[field], record.get(field))
        assert row["latency_ms"] == pytest.approx(record["latency_ms"], abs=0.001), label
        assert Decimal(row["cost_usd"]) == Decimal(str(record["cost_usd"])).quantize(Decimal("1e-9")), label
        if request.outcome == "ok":
            assert row["ttft_ms"] is not None and row["started_at"].endswith("Z"), label
    # The catalog's price of gpt-test on alpha: input $1/M, output $2/M; beta and gem have no price.
    for request in traffic:
        if request.provider == "alpha":
            row = by_id[request.request_id]
            expected = row["input_tokens"] * 1 + row["output_tokens"] * 2
            assert expected > 0 and micros(by_id[request.request_id]["cost_usd"]) == expected, request
        elif request.request_id in by_id:
            assert micros(by_id[request.request_id]["cost_usd"]) == 0, request
    failover = next(r for r in traffic if r.provider == "beta" and r.model == "gpt-test")
    assert by_id[failover.request_id]["attempts"] == 2
    assert by_id[traffic[-2].request_id]["error"], "an upstream failure keeps its error"


def test_logs_are_newest_first_filtered_and_paged_without_gaps_or_repeats(stack, traffic):
    _, logs, _, _ = stack
    everything = stored(logs, len(traffic))
    times = [row["started_at"] for row in everything]
    assert times == sorted(times, reverse=True), "newest first"
    pages, cursor = [], None
    while True:
        page = logs.logs(key=KEY_ID, limit=2, **({"cursor": cursor} if cursor else {}))
        pages.append([row["request_id"] for row in page["data"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [rid for page in pages for rid in page] == [row["request_id"] for row in everything]
    assert all(len(page) == 2 for page in pages[:-1]) and len(pages) == (len(traffic) + 1) // 2

    def ids(**params) -> set[str]:
        return {row["request_id"] for row in logs.logs(**params)["data"]}

    alpha = {r.request_id for r in traffic if r.provider == "alpha"}
    assert ids(provider="alpha") == alpha
    assert ids(outcome="upstream_error") == {traffic[-2].request_id}
    assert ids(model="no-such-model") == set() and ids(model="unknown") == {traffic[-1].request_id}
    assert len(ids(user=USER_ID)) == len(traffic) and ids(user="usr_nobody") == set()
    first = min(row["started_at"] for row in everything)
    assert ids(to=first) == set(), "to is exclusive"
    assert len(ids(**{"from": first})) == len(traffic)


def test_stats_add_up_to_the_requests_by_model(stack, traffic):
    _, logs, _, _ = stack
    rows = stored(logs, len(traffic))
    answer = logs.http.get("/api/v1/stats", params={"interval": "hour", "group_by": "model"})
    assert answer.status_code == 200, answer.text
    buckets = answer.json()["buckets"]
    for model in {r.model for r in traffic}:
        mine = [row for row in rows if row["model"] == model]
        theirs = [b for b in buckets if b["model"] == model]
        assert sum(b["requests"] for b in theirs) == len(mine), model
        assert sum(b["errors"] for b in theirs) == sum(row["outcome"] != "ok" for row in mine), model
        for field in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
            assert sum(b[field] for b in theirs) == sum(row[field] for row in mine), (model, field)
        assert sum(micros(b["cost_usd"]) for b in theirs) == sum(micros(row["cost_usd"]) for row in mine), model
        for bucket in theirs:
            latency = bucket["latency_ms"]
            assert latency["p50"] <= latency["p95"] <= latency["p99"], bucket
    gpt = [b for b in buckets if b["model"] == "gpt-test"]
    assert sum(b["outcomes"].get("upstream_error", 0) for b in gpt) == 1
    by_user = logs.http.get("/api/v1/stats", params={"interval": "day", "group_by": "user"}).json()["buckets"]
    assert {b["user"] for b in by_user} == {USER_ID}
    assert sum(b["requests"] for b in by_user) == len(traffic)


def test_the_api_wants_the_admin_token_and_names_a_bad_parameter(stack):
    _, logs, _, _ = stack
    for headers in ({}, {"authorization": "Bearer not-the-token"}, {"authorization": f"Bearer {CLIENT_KEY}"}):
        assert httpx.get(f"{logs.url}/api/v1/logs", headers=headers, timeout=5).status_code == 401
    for params, name in (({"limit": "0"}, "limit"), ({"bogus": "1"}, "bogus"), ({"from": "yesterday"}, "from"),
                         ({"outcome": "fine"}, "outcome"), ({"cursor": "x"}, "cursor")):
        answer = logs.http.get("/api/v1/logs", params=params)
        assert answer.status_code == 400, (params, answer.text)
        assert answer.json()["error"]["parameter"] == name, (params, answer.text)
    answer = logs.http.get("/api/v1/stats", params={"group_by": "colour"})
    assert answer.status_code == 400 and answer.json()["error"]["parameter"] == "group_by", answer.text


def test_the_log_service_never_logs_its_credentials(stack, traffic):
    _, logs, _, clickhouse = stack
    stored(logs, len(traffic))
    text = logs.log.read_text(errors="replace")
    assert "ingest" in text or "migration" in text, "the service logged something"
    for secret in (clickhouse.password, NATS_PASSWORD, ADMIN_TOKEN, CLIENT_KEY):
        assert secret not in text
