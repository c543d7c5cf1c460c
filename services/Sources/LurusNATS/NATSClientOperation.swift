/// One operation the client sends, encoded by `NATSProtocolEncoder`.
public enum NATSClientOperation: Sendable, Equatable {
    /// `CONNECT {json}`: the client's options, after the server's `INFO`.
    case connect(NATSConnectOptions)
    /// `PUB`: a message without headers.
    case pub(subject: String, replyTo: String?, payload: [UInt8])
    /// `HPUB`: a message with headers.
    case hpub(subject: String, replyTo: String?, headers: NATSHeaderBlock, payload: [UInt8])
    /// `SUB`: interest in a subject, optionally as a member of a queue group.
    case sub(subject: String, queueGroup: String?, sid: UInt64)
    /// `UNSUB`: the end of a subscription, optionally after `maxMessages` more.
    case unsub(sid: UInt64, maxMessages: Int?)
    /// `PING`: asks the server for a `PONG`.
    case ping
    /// `PONG`: answers the server's `PING`.
    case pong
}

/// The options sent in `CONNECT`.
public struct NATSConnectOptions: Sendable, Equatable {
    /// Whether the server acknowledges every operation with `+OK`.
    public var verbose = false
    /// Whether the server checks subjects strictly.
    public var pedantic = false
    /// Whether the client understands `HMSG`.
    public var headers = true
    /// Whether the server answers requests nobody listens to with a 503 status.
    public var noResponders = true
    /// The client's name.
    public var name: String
    /// The client's language.
    public var lang = "swift"
    /// The client library's version.
    public var version = NATSClient.version
    /// The protocol level: 1 understands asynchronous `INFO`.
    public var protocolLevel = 1
    /// The user name, if any.
    public var user: String?
    /// The password, if any.
    public var password: String?

    /// Creates options with the defaults the client uses.
    public init(name: String, user: String? = nil, password: String? = nil) {
        self.name = name
        self.user = user
        self.password = password
    }

    /// The options as a JSON object, in a fixed key order.
    public var json: String {
        var fields = [
            "\"verbose\":\(self.verbose)",
            "\"pedantic\":\(self.pedantic)",
            "\"headers\":\(self.headers)",
            "\"no_responders\":\(self.noResponders)",
            "\"name\":\(JSONText.quoted(self.name))",
            "\"lang\":\(JSONText.quoted(self.lang))",
            "\"version\":\(JSONText.quoted(self.version))",
            "\"protocol\":\(self.protocolLevel)",
        ]
        if let user = self.user {
            fields.append("\"user\":\(JSONText.quoted(user))")
        }
        if let password = self.password {
            fields.append("\"pass\":\(JSONText.quoted(password))")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}

/// JSON string quoting, for the few JSON texts written by hand.
enum JSONText {
    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"":
                result += "\\\""
            case "\\":
                result += "\\\\"
            case "\n":
                result += "\\n"
            case "\r":
                result += "\\r"
            case "\t":
                result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
