"""Each official SDK against the gateway: same-protocol relay, OpenAI ⇄ Anthropic translation, the
unsupported pairs and the model list."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from conftest import (
    CLIENT_KEY,
    PROVIDER_KEYS,
    USER_MESSAGES,
    anthropic_client,
    body_of,
    genai_client,
    openai_client,
)

# --------------------------------------------------------------------------- OpenAI chat (alpha)


def test_openai_chat_non_stream(gateway, fake):
    completion = openai_client(gateway).chat.completions.create(model="gpt-test", messages=USER_MESSAGES)
    assert completion.choices[0].message.content == "Hello from alpha!"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens == 15
    assert completion.usage.completion_tokens == 4
    assert completion.usage.prompt_tokens_details.cached_tokens == 3
    [request] = fake.requests("alpha")
    assert request["path"] == "/p/alpha/v1/chat/completions"
    assert request["outcome"] == "complete"


def test_openai_chat_stream_with_include_usage(gateway, fake):
    stream = openai_client(gateway).chat.completions.create(
        model="gpt-test", messages=USER_MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from alpha!"
    with_usage = [c for c in chunks if c.usage is not None]
    assert len(with_usage) == 1, f"expected exactly one usage chunk, got {len(with_usage)}"
    assert with_usage[0] is chunks[-1], "the usage chunk must be the final chunk"
    assert chunks[-1].choices == []
    assert chunks[-1].usage.prompt_tokens == 15
    assert chunks[-1].usage.completion_tokens == 4


def test_openai_chat_stream_without_include_usage(gateway, fake):
    stream = openai_client(gateway).chat.completions.create(model="gpt-test", messages=USER_MESSAGES, stream=True)
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from alpha!"
    assert all(c.usage is None for c in chunks), "no chunk may carry usage when the client did not ask"
    assert all(c.choices for c in chunks), "the usage-only chunk (choices: []) must be stripped"
    # The gateway still asks the provider for usage, to account for the request.
    [request] = fake.requests("alpha")
    assert body_of(request)["stream_options"]["include_usage"] is True


# --------------------------------------------------------------------------- Anthropic messages (beta)


def test_anthropic_messages_create(gateway, fake):
    message = anthropic_client(gateway).messages.create(
        model="claude-test", max_tokens=64, messages=USER_MESSAGES
    )
    assert [b.text for b in message.content if b.type == "text"] == ["Hello from beta!"]
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens == 12
    assert message.usage.output_tokens == 4
    assert message.usage.cache_read_input_tokens == 3
    assert message.usage.cache_creation_input_tokens == 2
    [request] = fake.requests("beta")
    assert request["path"] == "/p/beta/v1/messages"
    assert request["headers"].get("x-api-key") == PROVIDER_KEYS["BETA_KEY"]


def test_anthropic_messages_stream(gateway, fake):
    with anthropic_client(gateway).messages.stream(
        model="claude-test", max_tokens=64, messages=USER_MESSAGES
    ) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert pieces == ["Hello", " from ", "beta", "!"]
    assert "".join(b.text for b in final.content if b.type == "text") == "Hello from beta!"
    assert final.stop_reason == "end_turn"
    assert final.usage.input_tokens == 12
    assert final.usage.output_tokens == 4
    assert final.usage.cache_read_input_tokens == 3


# --------------------------------------------------------------------------- OpenAI Responses (resp)


def test_openai_responses_create(gateway, fake):
    response = openai_client(gateway).responses.create(model="codex-test", input="Say hello.")
    assert response.output_text == "Hello from resp!"
    assert response.usage.input_tokens == 15
    assert response.usage.output_tokens == 4
    [request] = fake.requests("resp")
    assert request["path"] == "/p/resp/v1/responses"
    assert request["headers"].get("authorization") == f"Bearer {PROVIDER_KEYS['RESP_KEY']}"


def test_openai_responses_stream(gateway, fake):
    events = list(openai_client(gateway).responses.create(model="codex-test", input="Say hello.", stream=True))
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert deltas == ["Hello", " from ", "resp", "!"]
    completed = [e for e in events if e.type == "response.completed"]
    assert len(completed) == 1
    assert completed[0].response.output_text == "Hello from resp!"
    assert events[-1].type == "response.completed"


def test_responses_route_without_v1(gateway, fake):
    r = gateway.http.post(
        "/responses", headers=gateway.headers(), json={"model": "codex-test", "input": "Say hello."}
    )
    assert r.status_code == 200, r.text
    assert r.json()["output"][0]["content"][0]["text"] == "Hello from resp!"


# --------------------------------------------------------------------------- Gemini (gem)


def test_gemini_generate_content(gateway, fake):
    client = genai_client(gateway)
    response = client.models.generate_content(model="gemini-test", contents="Say hello.")
    assert response.text == "Hello from gem!"
    assert response.usage_metadata.prompt_token_count == 15
    assert response.usage_metadata.candidates_token_count == 4
    assert response.usage_metadata.cached_content_token_count == 3
    [request] = fake.requests("gem")
    assert request["path"].startswith("/p/gem/v1beta/models/gemini-test:generateContent")
    assert request["headers"].get("x-goog-api-key") == PROVIDER_KEYS["GEM_KEY"]
    assert CLIENT_KEY not in json.dumps(request)


def test_gemini_key_in_query_is_accepted_and_not_forwarded(gateway, fake):
    r = httpx.post(
        f"{gateway.url}/v1beta/models/gemini-test:generateContent?key={CLIENT_KEY}",
        json={"contents": [{"role": "user", "parts": [{"text": "Say hello."}]}]},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert r.json()["candidates"][0]["content"]["parts"][0]["text"] == "Hello from gem!"
    [request] = fake.requests("gem")
    assert CLIENT_KEY not in json.dumps(request), request["path"]


def test_gemini_generate_content_stream(gateway, fake):
    client = genai_client(gateway)
    chunks = list(client.models.generate_content_stream(model="gemini-test", contents="Say hello."))
    assert "".join(c.text or "" for c in chunks) == "Hello from gem!"
    assert chunks[-1].usage_metadata.prompt_token_count == 15
    assert chunks[-1].usage_metadata.candidates_token_count == 4
    [request] = fake.requests("gem")
    assert ":streamGenerateContent" in request["path"]


# --------------------------------------------------------------------------- translation


def _assert_alpha_got_openai_body(fake, stream: bool) -> None:
    [request] = fake.requests("alpha")
    assert fake.requests("beta") == []
    assert request["path"] == "/p/alpha/v1/chat/completions"
    assert request["headers"].get("authorization") == f"Bearer {PROVIDER_KEYS['ALPHA_KEY']}"
    assert CLIENT_KEY not in json.dumps(request), "the client's key must not reach the provider"
    body = body_of(request)
    assert body["model"] == "gpt-test"
    assert "max_tokens" in body or "max_completion_tokens" in body
    assert body["messages"][-1]["role"] == "user"
    assert "Say hello." in json.dumps(body["messages"])
    if stream:
        assert body["stream"] is True
        assert body["stream_options"]["include_usage"] is True
    else:
        assert not body.get("stream")


def _assert_beta_got_anthropic_body(fake, stream: bool) -> None:
    [request] = fake.requests("beta")
    assert fake.requests("alpha") == []
    assert request["path"] == "/p/beta/v1/messages"
    assert request["headers"].get("x-api-key") == PROVIDER_KEYS["BETA_KEY"]
    assert "anthropic-version" in request["headers"]
    assert CLIENT_KEY not in json.dumps(request), "the client's key must not reach the provider"
    body = body_of(request)
    assert body["model"] == "claude-test"
    assert isinstance(body["max_tokens"], int)
    assert body["messages"] == [{"role": "user", "content": "Say hello."}] or body["messages"][0]["role"] == "user"
    assert bool(body.get("stream")) is stream


def test_anthropic_sdk_to_openai_provider(gateway, fake):
    message = anthropic_client(gateway).messages.create(model="gpt-test", max_tokens=64, messages=USER_MESSAGES)
    assert "".join(b.text for b in message.content if b.type == "text") == "Hello from alpha!"
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens == 12
    assert message.usage.output_tokens == 4
    assert message.usage.cache_read_input_tokens == 3
    _assert_alpha_got_openai_body(fake, stream=False)


def test_anthropic_sdk_stream_to_openai_provider(gateway, fake):
    with anthropic_client(gateway).messages.stream(model="gpt-test", max_tokens=64, messages=USER_MESSAGES) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    assert text == "Hello from alpha!"
    assert final.stop_reason == "end_turn"
    assert final.usage.input_tokens == 12
    assert final.usage.output_tokens == 4
    assert final.usage.cache_read_input_tokens == 3
    _assert_alpha_got_openai_body(fake, stream=True)


def test_openai_sdk_to_anthropic_provider(gateway, fake):
    completion = openai_client(gateway).chat.completions.create(model="claude-test", messages=USER_MESSAGES)
    assert completion.choices[0].message.content == "Hello from beta!"
    assert completion.choices[0].finish_reason == "stop"
    # Anthropic input 12 + cache read 3 + cache write 2 = OpenAI prompt_tokens 17, 3 of them cached.
    assert completion.usage.prompt_tokens == 17
    assert completion.usage.completion_tokens == 4
    assert completion.usage.prompt_tokens_details.cached_tokens == 3
    _assert_beta_got_anthropic_body(fake, stream=False)


def test_openai_sdk_stream_to_anthropic_provider(gateway, fake):
    chunks = list(
        openai_client(gateway).chat.completions.create(
            model="claude-test", messages=USER_MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from beta!"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["stop"]
    with_usage = [c for c in chunks if c.usage is not None]
    assert len(with_usage) == 1 and with_usage[0] is chunks[-1]
    assert chunks[-1].usage.completion_tokens == 4
    assert chunks[-1].usage.prompt_tokens == 17
    _assert_beta_got_anthropic_body(fake, stream=True)


def test_openai_sdk_stream_to_anthropic_provider_without_usage(gateway, fake):
    chunks = list(
        openai_client(gateway).chat.completions.create(model="claude-test", messages=USER_MESSAGES, stream=True)
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Hello from beta!"
    assert all(c.usage is None for c in chunks)


def test_unsupported_pair_responses_to_anthropic(gateway, fake):
    with pytest.raises(openai.BadRequestError) as raised:
        openai_client(gateway).responses.create(model="claude-test", input="Say hello.")
    assert raised.value.status_code == 400
    message = str(raised.value)
    assert "openai-responses" in message and "anthropic" in message, message
    assert fake.requests() == []


def test_unsupported_pair_gemini_to_openai(gateway, fake):
    from google.genai import errors

    client = genai_client(gateway)
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model="gpt-test", contents="Say hello.")
    assert raised.value.code == 400
    assert "gemini" in str(raised.value) and "openai" in str(raised.value)
    assert fake.requests() == []


# --------------------------------------------------------------------------- model list


def test_models_list(gateway):
    ids = {m.id for m in openai_client(gateway).models.list()}
    assert ids == {"gpt-test", "claude-test", "gemini-test", "codex-test"}, ids


def test_models_list_requires_key(gateway):
    r = httpx.get(f"{gateway.url}/v1/models")
    assert r.status_code == 401
