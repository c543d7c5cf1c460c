"""Usage records on NATS JetStream: stream declarations, record contents, spool and replay."""

from __future__ import annotations

import json
import time

import pytest

from conftest import (
    CLIENT_KEY,
    KEY_ID,
    USER_MESSAGES,
    JetStreamReader,
    NatsServer,
    metric_value,
    openai_client,
    wait_until,
)

SUBJECTS = [("LLM_EVENTS", "llm.usage"), ("BILLING_EVENTS", "billing.usage"), ("LOG_EVENTS", "log.write")]
DAY = 86400


def test_streams_declared_by_gateway(gateway, jetstream):
    expected = {
        "LLM_EVENTS": (["llm.>"], 7 * DAY),
        "BILLING_EVENTS": (["billing.>"], 30 * DAY),
        "LOG_EVENTS": (["log.write"], 1 * DAY),
    }
    for name, (subjects, max_age) in expected.items():
        info = jetstream.stream_info(name)
        assert info.config.subjects == subjects, (name, info.config.subjects)
        assert info.config.max_age == pytest.approx(max_age), (name, info.config.max_age)


def _since(jetstream) -> dict[str, int]:
    return {stream: jetstream.last_seq(stream) for stream, _ in SUBJECTS}


def _records_everywhere(jetstream, request_id: str, since: dict[str, int]) -> dict:
    """The record for `request_id` from all three subjects (exactly one each, same payload)."""
    payloads = []
    for stream, subject in SUBJECTS:
        msgs = jetstream.wait_records(stream, subject, [request_id], timeout=5, since=since[stream])[request_id]
        assert len(msgs) == 1, f"{len(msgs)} copies of {request_id} on {subject}"
        assert msgs[0].headers.get("Nats-Msg-Id") == request_id, msgs[0].headers
        payloads.append(msgs[0].data)
    assert payloads[0] == payloads[1] == payloads[2]
    return payloads[0]


@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
def test_usage_record_for_openai_request(gateway, fake, jetstream, stream):
    since = _since(jetstream)
    before = gateway.metrics()
    raw = openai_client(gateway).chat.completions.with_raw_response.create(
        model="gpt-test", messages=USER_MESSAGES, stream=stream
    )
    request_id = raw.headers["x-request-id"]
    parsed = raw.parse()
    if stream:
        text = "".join(c.choices[0].delta.content or "" for c in parsed if c.choices)
    else:
        text = parsed.choices[0].message.content
    assert text == "Hello from alpha!"

    record = _records_everywhere(jetstream, request_id, since)
    assert record["request_id"] == request_id
    assert record["key_id"] == KEY_ID
    assert record["platform"] == "openai"
    assert record["provider"] == "alpha"
    assert record["model"] == "gpt-test"
    assert record["upstream_model"] == "gpt-test"
    assert record["status"] == 200
    assert record["outcome"] == "ok"
    assert record.get("error") is None
    assert record["stream"] is stream
    assert record["attempts"] == 1
    assert record["input_tokens"] == 12
    assert record["output_tokens"] == 4
    assert record["cache_read_tokens"] == 3
    assert record["cache_write_tokens"] == 0
    assert record["cost_usd"] == pytest.approx(2e-05, rel=1e-9)
    assert record["ttft_ms"] is not None and 0 < record["ttft_ms"] <= record["latency_ms"]
    assert record["latency_ms"] > 0
    assert record["started_at"].endswith("Z") and "T" in record["started_at"]
    assert CLIENT_KEY not in json.dumps(record)
    [upstream] = fake.requests("alpha")
    assert upstream["headers"].get("x-request-id") == request_id, "the provider sees the same request id"
    after = gateway.metrics()

    def rise(name, **labels):
        return metric_value(after, name, **labels) - metric_value(before, name, **labels)

    alpha = {"provider": "alpha", "model": "gpt-test"}
    assert rise("lurus_gateway_requests_total", platform="openai", status_class="2xx", **alpha) == 1
    assert rise("lurus_gateway_tokens_total", direction="input", **alpha) == 12
    assert rise("lurus_gateway_tokens_total", direction="output", **alpha) == 4
    assert rise("lurus_gateway_tokens_total", direction="cache_read", **alpha) == 3
    assert rise("lurus_gateway_cost_usd_total", **alpha) == pytest.approx(2e-05, rel=1e-6)
    wait_until(
        lambda: metric_value(gateway.metrics(), "lurus_gateway_usage_events_published_total")
        - metric_value(before, "lurus_gateway_usage_events_published_total")
        >= 3,
        3,
        what="the published counter to count the 3 acknowledged events",
    )


PLATFORM_REQUESTS = {
    "anthropic": ("/v1/messages", {"model": "claude-test", "max_tokens": 32, "messages": USER_MESSAGES}),
    "openai-responses": ("/v1/responses", {"model": "codex-test", "input": "Say hello."}),
    "gemini": (
        "/v1beta/models/gemini-test:generateContent",
        {"contents": [{"role": "user", "parts": [{"text": "Say hello."}]}]},
    ),
}
PLATFORM_EXPECTED = {
    # provider, input, output, cache read, cache write
    "anthropic": ("beta", 12, 4, 3, 2),
    "openai-responses": ("resp", 12, 4, 3, 0),
    "gemini": ("gem", 12, 4, 3, 0),
}


@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
@pytest.mark.parametrize("platform", list(PLATFORM_REQUESTS))
def test_usage_record_for_other_platforms(gateway, fake, jetstream, platform, stream):
    since = _since(jetstream)
    path, body = PLATFORM_REQUESTS[platform]
    if stream and platform == "gemini":
        path = path.replace(":generateContent", ":streamGenerateContent?alt=sse")
    elif stream:
        body = dict(body, stream=True)
    r = gateway.http.post(path, json=body, headers=gateway.headers())
    assert r.status_code == 200, r.text
    if stream:
        assert r.headers["content-type"].startswith("text/event-stream")
        assert "error" not in r.text.lower()
    record = _records_everywhere(jetstream, r.headers["x-request-id"], since)
    assert record["stream"] is stream
    provider, inp, out, cache_read, cache_write = PLATFORM_EXPECTED[platform]
    assert record["platform"] == platform
    assert record["provider"] == provider
    assert (record["input_tokens"], record["output_tokens"]) == (inp, out)
    assert (record["cache_read_tokens"], record["cache_write_tokens"]) == (cache_read, cache_write)
    assert record["cost_usd"] == 0  # no price in the catalog
    assert record["outcome"] == "ok" and record["ttft_ms"] is not None


def test_usage_record_for_unknown_model(gateway, fake, jetstream):
    since = _since(jetstream)
    r = gateway.http.post(
        "/v1/chat/completions", json={"model": "no-such-model", "messages": USER_MESSAGES}, headers=gateway.headers()
    )
    assert r.status_code == 404
    record = _records_everywhere(jetstream, r.headers["x-request-id"], since)
    assert record["status"] == 404
    assert record["outcome"] == "client_error"
    assert record.get("provider") is None
    assert record["attempts"] == 0
    assert record.get("ttft_ms") is None
    assert record["cost_usd"] == 0


def test_spool_and_replay_across_restart(make_gateway, fake, workdir):
    nats = NatsServer(workdir, name="nats-spool").start()
    reader = JetStreamReader(nats.url)
    spool_dir = workdir / "spool-replay"
    try:
        first = make_gateway("spool-gateway-1", NATS_URL=nats.url, SPOOL_DIRECTORY=str(spool_dir))
        wait_until(lambda: "NATS connected" in first.http.get("/health").text, 5, what="gateway 1 to reach NATS")
        wait_until(lambda: reader.stream_info("LLM_EVENTS"), 5, what="LLM_EVENTS to exist")
        nats.stop()
        wait_until(
            lambda: metric_value(first.metrics(), "lurus_gateway_nats_connected") == 0,
            5,
            what="gateway 1 to notice NATS is gone",
        )

        client = openai_client(first)
        request_ids = []
        for _ in range(5):
            raw = client.chat.completions.with_raw_response.create(model="gpt-test", messages=USER_MESSAGES)
            assert raw.parse().choices[0].message.content == "Hello from alpha!"
            request_ids.append(raw.headers["x-request-id"])

        wait_until(
            lambda: metric_value(first.metrics(), "lurus_gateway_usage_events_spooled_total") >= 15,
            5,
            what="15 spooled events (5 records x 3 subjects)",
        )
        assert metric_value(first.metrics(), "lurus_gateway_usage_events_published_total") == 0
        spooled = [json.loads(line) for line in (spool_dir / "usage.spool").read_text().splitlines() if line]
        assert [m["id"] for m in spooled if m["subject"] == "llm.usage"] == request_ids

        assert first.stop(timeout=15) == 0, first.stderr()[-2000:]
        second = make_gateway("spool-gateway-2", NATS_URL=nats.url, SPOOL_DIRECTORY=str(spool_dir))
        assert "NATS down" in second.http.get("/health").text

        nats.start()
        started = time.monotonic()
        found = reader.wait_records("LLM_EVENTS", "llm.usage", request_ids, timeout=5)
        assert time.monotonic() - started < 5.5
        msgs = reader.messages("LLM_EVENTS", "llm.usage")
        ids = [m.data["request_id"] for m in msgs]
        assert ids == request_ids, "replayed records must arrive once each, in request order"
        for rid in request_ids:
            assert found[rid][0].headers.get("Nats-Msg-Id") == rid
        for stream, subject in SUBJECTS[1:]:
            reader.wait_records(stream, subject, request_ids, timeout=3)
            assert [m.data["request_id"] for m in reader.messages(stream, subject)] == request_ids
        wait_until(
            lambda: metric_value(second.metrics(), "lurus_gateway_usage_events_replayed_total") == 15,
            3,
            what="replayed counter = 15 on the restarted gateway",
        )
        assert all(m.data["outcome"] == "ok" and m.data["provider"] == "alpha" for m in msgs)
    finally:
        nats.stop()
