"""Billing checks, bad input in each protocol's error shape, bad configuration, catalog sources and
provider-key hygiene."""

from __future__ import annotations

import json

import anthropic
import httpx
import openai
import pytest

from conftest import (
    CLIENT_KEY,
    GATEWAY_LOGS,
    NATS_PASSWORD,
    PROVIDER_KEYS,
    USER_MESSAGES,
    anthropic_client,
    free_port,
    genai_client,
    openai_client,
    standard_catalog,
)

# Each protocol: path, a valid body, and how its clients present the key.
PROTOCOLS = {
    "anthropic": ("/v1/messages", {"model": "gpt-test", "max_tokens": 32, "messages": USER_MESSAGES}, "x-api-key"),
    "openai": ("/v1/chat/completions", {"model": "gpt-test", "messages": USER_MESSAGES}, "authorization"),
    "openai-responses": ("/v1/responses", {"model": "codex-test", "input": "Say hello."}, "authorization"),
    "gemini": (
        "/v1beta/models/gemini-test:generateContent",
        {"contents": [{"role": "user", "parts": [{"text": "Say hello."}]}]},
        "x-goog-api-key",
    ),
}


def key_headers(protocol: str, key: str | None = CLIENT_KEY) -> dict:
    header = PROTOCOLS[protocol][2]
    if key is None:
        return {}
    return {header: f"Bearer {key}" if header == "authorization" else key}


def assert_error_shape(protocol: str, response: httpx.Response, status: int) -> str:
    """Checks the protocol's own error body; returns the message."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    if protocol == "anthropic":
        assert body["type"] == "error", body
        assert isinstance(body["error"]["type"], str) and body["error"]["type"]
        return body["error"]["message"]
    if protocol in ("openai", "openai-responses"):
        assert set(body) == {"error"}, body
        assert isinstance(body["error"]["message"], str) and "type" in body["error"]
        return body["error"]["message"]
    assert body["error"]["code"] == status, body
    assert isinstance(body["error"]["status"], str)
    return body["error"]["message"]


# --------------------------------------------------------------------------- billing


@pytest.fixture
def billed_gateway(make_gateway):
    """Balance checked against the fake billing service on every request (no cache)."""
    return make_gateway("billed", BILLING_SKIP_CHECK="false", BILLING_CACHE_SECONDS="0")


def test_billing_refused_is_402_openai_sdk(billed_gateway, fake):
    fake.billing(balances={"team-a": False})
    with pytest.raises(openai.APIStatusError) as raised:
        openai_client(billed_gateway).chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    assert raised.value.status_code == 402
    assert raised.value.body["type"] == "insufficient_quota", raised.value.body
    assert fake.requests("alpha") == [] and fake.requests("beta") == []


def test_billing_refused_is_402_in_each_shape(billed_gateway, fake):
    fake.billing(balances={"team-a": False})
    for protocol, (path, body, _) in PROTOCOLS.items():
        r = billed_gateway.http.post(path, json=body, headers=key_headers(protocol))
        message = assert_error_shape(protocol, r, 402)
        assert "balance" in message, message
    assert r.json()["error"]["status"] == "FAILED_PRECONDITION"
    with pytest.raises(anthropic.APIStatusError) as raised:
        anthropic_client(billed_gateway).messages.create(model="claude-test", max_tokens=32, messages=USER_MESSAGES)
    assert raised.value.status_code == 402
    assert fake.requests() == []


def test_billing_allowed_serves(billed_gateway, fake):
    fake.billing(balances={"team-a": True})
    completion = openai_client(billed_gateway).chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    assert completion.choices[0].message.content == "Hello from alpha!"


def test_billing_down_is_503_refusal(billed_gateway, fake):
    fake.billing(down=True)
    with pytest.raises(openai.APIStatusError) as raised:
        openai_client(billed_gateway).chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    assert raised.value.status_code == 503
    assert "billing" in str(raised.value).lower(), str(raised.value)
    path, body, _ = PROTOCOLS["anthropic"]
    r = billed_gateway.http.post(path, json=body, headers=key_headers("anthropic"))
    assert "billing" in assert_error_shape("anthropic", r, 503).lower()
    assert fake.requests() == []


def test_billing_down_with_skip_check_serves(make_gateway, fake):
    gw = make_gateway("billing-skip", BILLING_SKIP_CHECK="true", BILLING_CACHE_SECONDS="0")
    fake.billing(down=True)
    completion = openai_client(gw).chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    assert completion.choices[0].message.content == "Hello from alpha!"


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("protocol", list(PROTOCOLS))
def test_malformed_json_is_400_in_protocol_shape(gateway, fake, protocol):
    path = PROTOCOLS[protocol][0]
    headers = {**key_headers(protocol), "content-type": "application/json"}
    r = gateway.http.post(path, content=b'{"model": "gpt-test", "messages": [', headers=headers)
    assert_error_shape(protocol, r, 400)
    body = r.json()
    if protocol == "anthropic":
        assert body["error"]["type"] == "invalid_request_error"
    elif protocol == "gemini":
        assert body["error"]["status"] == "INVALID_ARGUMENT"
    else:
        assert body["error"]["type"] == "invalid_request_error"
    assert fake.requests() == []


@pytest.mark.parametrize("protocol", ["anthropic", "openai", "openai-responses"])
def test_missing_model_is_400(gateway, fake, protocol):
    path, body, _ = PROTOCOLS[protocol]
    body = {k: v for k, v in body.items() if k != "model"}
    r = gateway.http.post(path, json=body, headers=key_headers(protocol))
    message = assert_error_shape(protocol, r, 400)
    assert "model" in message, message


def test_unknown_model_is_404_with_sdks(gateway, fake):
    with pytest.raises(openai.NotFoundError):
        openai_client(gateway).chat.completions.create(model="no-such-model", messages=USER_MESSAGES)
    with pytest.raises(anthropic.NotFoundError):
        anthropic_client(gateway).messages.create(model="no-such-model", max_tokens=8, messages=USER_MESSAGES)
    from google.genai import errors

    client = genai_client(gateway)
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model="no-such-model", contents="hi")
    assert raised.value.code == 404
    assert fake.requests() == []


@pytest.mark.parametrize("key", [None, "sk-not-a-known-key"], ids=["no-key", "unknown-key"])
@pytest.mark.parametrize("protocol", list(PROTOCOLS))
def test_missing_or_unknown_key_is_401(gateway, fake, protocol, key):
    path, body, _ = PROTOCOLS[protocol]
    r = gateway.http.post(path, json=body, headers=key_headers(protocol, key))
    assert_error_shape(protocol, r, 401)
    assert fake.requests() == []


def test_unknown_key_with_sdks(gateway):
    import openai as oa

    bad_openai = oa.OpenAI(api_key="sk-wrong", base_url=f"{gateway.url}/v1", max_retries=0, timeout=10)
    with pytest.raises(openai.AuthenticationError):
        bad_openai.chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    bad_anthropic = anthropic.Anthropic(api_key="sk-wrong", base_url=gateway.url, max_retries=0, timeout=10)
    with pytest.raises(anthropic.AuthenticationError):
        bad_anthropic.messages.create(model="claude-test", max_tokens=8, messages=USER_MESSAGES)


def test_body_over_limit_is_413(make_gateway, fake):
    gw = make_gateway("small-body", LIMITS_BODY_BYTES="2048")
    big = [{"role": "user", "content": "x" * 4096}]
    with pytest.raises(openai.APIStatusError) as raised:
        openai_client(gw).chat.completions.create(model="gpt-test", messages=big)
    assert raised.value.status_code == 413
    for protocol in ("anthropic", "gemini"):
        path, body, _ = PROTOCOLS[protocol]
        padded = dict(body, padding="y" * 4096)
        assert_error_shape(protocol, gw.http.post(path, json=padded, headers=key_headers(protocol)), 413)
    # Below the limit is served.
    small = openai_client(gw).chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    assert small.choices[0].message.content == "Hello from alpha!"
    assert len(fake.requests()) == 1


# --------------------------------------------------------------------------- configuration


def _one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{output}"
    assert lines[0].startswith("lurus-gateway: "), lines[0]
    return lines[0]


def test_bad_http_port_exits_1(session_factory):
    code, out = session_factory.run_to_exit(HTTP_PORT="abc")
    assert code == 1, out
    assert "http.port" in _one_line(out)


def test_bad_catalog_protocol_exits_1(session_factory, fake, workdir):
    catalog = standard_catalog(fake)
    catalog["providers"][0]["protocol"] = "carrier-pigeon"
    path = workdir / "bad-protocol-catalog.json"
    path.write_text(json.dumps(catalog))
    code, out = session_factory.run_to_exit(CATALOG_FILE=str(path))
    assert code == 1, out
    assert "providers[0].protocol" in _one_line(out)


def test_catalog_from_provider_service(make_gateway, fake):
    fake.set_catalog(json.dumps(standard_catalog(fake)))
    gw = make_gateway("catalog-service", PROVIDER_SERVICE_URL=f"{fake.url}/_provider", CATALOG_FILE=None)
    assert "provider service" in gw.http.get("/health").json()["checks"]["catalog"]["detail"]
    ids = {m.id for m in openai_client(gw).models.list()}
    assert {"gpt-test", "claude-test", "gemini-test", "codex-test"} <= ids
    completion = openai_client(gw).chat.completions.create(model="claude-test", messages=USER_MESSAGES)
    assert completion.choices[0].message.content == "Hello from beta!"


def test_catalog_falls_back_to_file_when_service_503(make_gateway, fake, session_factory):
    # After the reset the fake provider service has no catalog: it answers 503.
    gw = make_gateway("catalog-fallback", PROVIDER_SERVICE_URL=f"{fake.url}/_provider")
    detail = gw.http.get("/health").json()["checks"]["catalog"]["detail"]
    assert str(session_factory.catalog_file) in detail, detail
    completion = openai_client(gw).chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    assert completion.choices[0].message.content == "Hello from alpha!"


def _final_line(output: str) -> str:
    """The gateway's closing "lurus-gateway: …" line (a logged warning may come before it)."""
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("lurus-gateway: "), output
    return lines[-1]


def test_no_catalog_reachable_exits_1(session_factory):
    dead = f"http://127.0.0.1:{free_port()}/_provider"
    code, out = session_factory.run_to_exit(PROVIDER_SERVICE_URL=dead, CATALOG_FILE=None)
    assert code == 1, out
    assert "no provider catalog" in _final_line(out)


def test_service_503_and_no_file_exits_1(session_factory, fake):
    code, out = session_factory.run_to_exit(PROVIDER_SERVICE_URL=f"{fake.url}/_provider", CATALOG_FILE=None)
    assert code == 1, out
    line = _final_line(out)
    assert "no provider catalog" in line and "503" in line, line


# --------------------------------------------------------------------------- secrets


@pytest.mark.run_last
def test_no_provider_key_leaks(make_gateway, gateway, fake):
    """Drives varied traffic through a trace-level gateway, then searches every gateway's stderr of this
    session, and /metrics, for the provider keys (and the client key and NATS password)."""
    gw = make_gateway("leak-check", LOG_LEVEL="trace", COOLDOWN_SECONDS="0")
    oa = openai_client(gw)
    fake.script("alpha", {"kind": "status", "status": 500}, {"kind": "status", "status": 401})
    fake.script("beta", {"kind": "status", "status": 400})
    for _ in range(3):  # 500 → beta (400 back to the client), 401 → beta, then alpha
        try:
            oa.chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
        except openai.APIStatusError:
            pass
    list(oa.chat.completions.create(model="gpt-test", messages=USER_MESSAGES, stream=True))
    anthropic_client(gw).messages.create(model="claude-test", max_tokens=8, messages=USER_MESSAGES)
    oa.responses.create(model="codex-test", input="hi")
    client = genai_client(gw)
    client.models.generate_content(model="gemini-test", contents="hi")
    assert len(fake.requests()) >= 7

    texts = {"/metrics (leak-check)": gw.metrics(), "/metrics (shared)": gateway.metrics()}
    gw.stop()
    for log in GATEWAY_LOGS:
        if log.exists():
            texts[str(log)] = log.read_text(errors="replace")
    assert any("trace" in t or "debug" in t for t in texts.values())
    secrets = {**PROVIDER_KEYS, "client key": CLIENT_KEY, "NATS password": NATS_PASSWORD}
    leaks = [
        f"{name} ({value}) in {where}"
        for where, text in texts.items()
        for name, value in secrets.items()
        if value in text
    ]
    assert leaks == [], "secrets leaked:\n" + "\n".join(leaks)
