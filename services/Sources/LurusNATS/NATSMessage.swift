/// A message delivered by the server (`MSG` or `HMSG`).
public struct NATSMessage: Sendable, Equatable {
    /// The subject the message was published to.
    public var subject: String
    /// Where to send a reply, if the publisher wants one.
    public var replyTo: String?
    /// Header values by name, in the order they appeared; empty for `MSG`.
    public var headers: [String: [String]]
    /// The inline status of an `HMSG` header block, e.g. 503 for "no responders".
    public var status: Int?
    /// The text after the status, e.g. "Request Timeout".
    public var statusDescription: String?
    /// The message body.
    public var payload: [UInt8]

    /// Creates a message.
    public init(
        subject: String,
        replyTo: String? = nil,
        headers: [String: [String]] = [:],
        status: Int? = nil,
        statusDescription: String? = nil,
        payload: [UInt8] = []
    ) {
        self.subject = subject
        self.replyTo = replyTo
        self.headers = headers
        self.status = status
        self.statusDescription = statusDescription
        self.payload = payload
    }

    /// The first value of the header `name`, matched case-insensitively.
    public func header(_ name: String) -> String? {
        if let values = self.headers[name] {
            return values.first
        }
        let lowered = name.lowercased()
        return self.headers.first { $0.key.lowercased() == lowered }?.value.first
    }
}

/// A request for `NATSClient.requests`: a message that expects a reply.
public struct NATSRequest: Sendable {
    public var subject: String
    public var payload: [UInt8]
    public var headers: [String: String]

    public init(subject: String, payload: [UInt8], headers: [String: String] = [:]) {
        self.subject = subject
        self.payload = payload
        self.headers = headers
    }
}
