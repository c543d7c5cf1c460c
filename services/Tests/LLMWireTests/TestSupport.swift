import LLMWire

/// Parses JSON text, for samples and expectations.
func json(_ text: String) throws -> JSONValue {
    try JSONValue.parse(Array(text.utf8))
}

/// Parses JSON bytes.
func json(_ bytes: [UInt8]) throws -> JSONValue {
    try JSONValue.parse(bytes)
}

/// All events of a complete SSE text, the trailing unterminated one included.
func events(_ text: String) -> [ServerSentEvent] {
    events(Array(text.utf8))
}

/// All events of complete SSE bytes, the trailing unterminated one included.
func events(_ bytes: [UInt8]) -> [ServerSentEvent] {
    var parser = ServerSentEventParser()
    return parser.feed(bytes) + parser.finish()
}

/// The events of an SSE text that carry data or a name (comments and stray blank lines left out).
func meaningfulEvents(_ text: String) -> [ServerSentEvent] {
    events(text).filter { $0.event != nil || !$0.data.isEmpty }
}

/// Bytes as text, for readable failures.
func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}
