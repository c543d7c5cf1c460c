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

    /// Parses a header block; lines without a colon are ignored. Read on bytes: every JetStream delivery
    /// has one.
    public init(parsing bytes: some Collection<UInt8>) throws(NATSError) {
        let block = Array(bytes)
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + 1 < block.count {
            if block[index] == UInt8(ascii: "\r"), block[index + 1] == UInt8(ascii: "\n") {
                lines.append(block[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(block[start...])
        guard let first = lines.first, first.starts(with: "NATS/1.0".utf8) else {
            throw .protocolViolation("header block does not start with NATS/1.0")
        }
        self.init()
        let statusLine = Self.trimmed(first.dropFirst("NATS/1.0".utf8.count))
        if !statusLine.isEmpty {
            let code = statusLine.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            guard code.count == 3, let status = Int(String(decoding: code, as: UTF8.self)) else {
                throw .protocolViolation("malformed status line in header block")
            }
            self.status = status
            let description = Self.trimmed(statusLine.dropFirst(3))
            self.statusDescription = description.isEmpty ? nil : String(decoding: description, as: UTF8.self)
        }
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                continue
            }
            let name = String(decoding: Self.trimmed(line[..<colon]), as: UTF8.self)
            let value = String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)
            self.headers[name, default: []].append(value)
        }
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var result = bytes
        while let first = result.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            result.removeFirst()
        }
        while let last = result.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            result.removeLast()
        }
        return result
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
