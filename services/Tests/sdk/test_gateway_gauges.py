"""The gateway's gauges, read from the real gateway's /metrics while the official OpenAI SDK talks to it:

- `lurus_gateway_requests_in_flight` counts a stream until its last byte, and is back to 0 after
  answers, a failover, a broken stream and a request no provider could answer (no leak on any path);
- `lurus_gateway_provider_available{provider}` is 0 while a provider rests after a 429 and 1 again once
  the rest is over, with no request in between (it is read when Prometheus scrapes);
- `lurus_build_info{service, release}` is 1 with the release `lurusctl deploy` sets (`LURUS_RELEASE`),
  and says `unknown` for a gateway started by hand.
"""

from __future__ import annotations

import threading
import time

import openai

from conftest import USER_MESSAGES, metric_value, openai_client, parse_metrics, wait_until


def _in_flight(gw) -> float:
    return metric_value(gw.metrics(), "lurus_gateway_requests_in_flight")


def test_a_stream_is_in_flight_until_its_end_and_every_path_ends_at_zero(make_gateway, fake):
    gw = make_gateway(COOLDOWN_SECONDS="0")
    assert _in_flight(gw) == 0
    # A slow stream: 5 pieces 400 ms apart.
    fake.script("alpha", {"kind": "ok", "chunks": 5, "delay_ms": 400})
    done = threading.Event()

    def slow():
        stream = openai_client(gw, timeout=20).chat.completions.create(
            model="gpt-test", messages=USER_MESSAGES, stream=True
        )
        for _ in stream:
            pass
        done.set()

    worker = threading.Thread(target=slow)
    worker.start()
    wait_until(lambda: _in_flight(gw) == 1, timeout=5, what="the open stream in flight")
    worker.join(timeout=20)
    assert done.is_set()
    assert _in_flight(gw) == 0

    # A failover, a stream the provider drops, and every provider failing: each ends its request.
    fake.script("alpha", {"kind": "status", "status": 500})
    openai_client(gw).chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    fake.script("alpha", {"kind": "disconnect_after", "after": 2})
    try:
        for _ in openai_client(gw, timeout=10).chat.completions.create(
            model="gpt-test", messages=USER_MESSAGES, stream=True
        ):
            pass
    except openai.APIError:
        pass
    fake.script("alpha", {"kind": "status", "status": 500})
    fake.script("beta", {"kind": "status", "status": 500})
    try:
        openai_client(gw).chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    except openai.APIError:
        pass
    try:
        openai_client(gw).chat.completions.create(model="no-such-model", messages=USER_MESSAGES)
    except openai.NotFoundError:
        pass
    wait_until(lambda: _in_flight(gw) == 0, timeout=5, what="no request left in flight")


def test_a_resting_provider_is_unavailable_until_its_rest_ends(make_gateway, fake):
    gw = make_gateway(COOLDOWN_SECONDS="30")  # Retry-After (2 s) wins over the default rest
    metrics = gw.metrics()
    assert metric_value(metrics, "lurus_gateway_provider_available", provider="alpha") == 1
    assert metric_value(metrics, "lurus_gateway_provider_available", provider="beta") == 1
    fake.script("alpha", {"kind": "status", "status": 429, "retry_after": 2})
    openai_client(gw).chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    rested_at = time.monotonic()
    metrics = gw.metrics()
    assert metric_value(metrics, "lurus_gateway_provider_available", provider="alpha") == 0
    assert metric_value(metrics, "lurus_gateway_provider_available", provider="beta") == 1
    # No request in between: the scrape itself sees the rest end.
    time.sleep(max(0, rested_at + 2.5 - time.monotonic()))
    assert metric_value(gw.metrics(), "lurus_gateway_provider_available", provider="alpha") == 1


def test_build_info_names_the_release_the_gateway_runs(make_gateway):
    deployed = make_gateway(LURUS_RELEASE="0123456789ab")
    samples = [(labels, value) for name, labels, value in parse_metrics(deployed.metrics())
               if name == "lurus_build_info"]
    assert samples == [({"service": "lurus-gateway", "release": "0123456789ab"}, 1.0)]
    by_hand = make_gateway(LURUS_RELEASE=None)
    assert by_hand.metric("lurus_build_info", service="lurus-gateway", release="unknown") == 1
