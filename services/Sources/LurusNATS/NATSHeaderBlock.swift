/// The header block of `HPUB`/`HMSG`: "NATS/1.0[ status[ description]]\r\nKey: Value\r\n…\r\n".
public struct NATSHeaderBlock: Sendable, Equatable {
    /// The inline status, e.g. 503 for "no responders".
    public var status: Int?
    /// The text after the status, e.g. "No Responders".
    public var statusDescription: String?
    /// Header values by name, in order of appearance.
    public var headers: [String: [String]]

    /// Creates a header block.
    public init(
        status: Int? = nil,
        statusDescription: String? = nil,
        headers: [String: [String]] = [:]
    ) {
        self.status = status
        self.statusDescription = statusDescription
        self.headers = headers
    }

    /// Parses a header block; lines without a colon are ignored.
    public init(parsing bytes: some Collection<UInt8>) throws(NATSError) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.popFirst(), first.hasPrefix("NATS/1.0") else {
            throw .protocolViolation("header block does not start with NATS/1.0")
        }
        self.init()
        let statusLine = first.dropFirst("NATS/1.0".count).drop { $0 == " " || $0 == "\t" }
        if !statusLine.isEmpty {
            let code = statusLine.prefix { $0.isNumber }
            guard code.count == 3, let status = Int(code) else {
                throw .protocolViolation("malformed status line in header block")
            }
            self.status = status
            let description = statusLine.dropFirst(3).trimmingBlanks()
            self.statusDescription = description.isEmpty ? nil : String(description)
        }
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                continue
            }
            let name = String(line[..<colon].trimmingBlanks())
            let value = String(line[line.index(after: colon)...].trimmingBlanks())
            self.headers[name, default: []].append(value)
        }
    }

    /// The encoded block, names sorted so the output is deterministic.
    public var encoded: String {
        var text = "NATS/1.0"
        if let status = self.status {
            text += " \(status)"
            if let description = self.statusDescription {
                text += " \(description)"
            }
        }
        text += "\r\n"
        for name in self.headers.keys.sorted() {
            for value in self.headers[name] ?? [] {
                text += "\(name): \(value)\r\n"
            }
        }
        return text + "\r\n"
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    func trimmingBlanks() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" {
            result.removeFirst()
        }
        while let last = result.last, last == " " || last == "\t" {
            result.removeLast()
        }
        return result
    }
}
