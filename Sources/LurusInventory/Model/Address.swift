/// A node address as written in the inventory: an IPv4 or IPv6 literal, or a DNS name.
public enum NodeAddress: Sendable, Hashable, CustomStringConvertible {
    case ipv4(String)
    case ipv6(String)
    case hostname(String)

    public var description: String {
        switch self {
        case .ipv4(let text), .ipv6(let text), .hostname(let text): text
        }
    }

    public var isIPLiteral: Bool {
        if case .hostname = self { return false }
        return true
    }

    /// Whether the address is in a private, loopback or link-local range (not reachable from the internet).
    public var isPrivate: Bool {
        switch self {
        case .ipv4(let text):
            let octets = text.split(separator: ".").compactMap { Int($0) }
            guard octets.count == 4 else { return false }
            return octets[0] == 10 || octets[0] == 127 || (octets[0] == 172 && (16...31).contains(octets[1]))
                || (octets[0] == 192 && octets[1] == 168) || (octets[0] == 169 && octets[1] == 254)
                || (octets[0] == 100 && (64...127).contains(octets[1]))
        case .ipv6(let text):
            let lower = text.lowercased()
            return lower == "::1" || lower.hasPrefix("fd") || lower.hasPrefix("fc") || lower.hasPrefix("fe80")
        case .hostname:
            return false
        }
    }

    /// Parses an address, or says why it is not one and what to write instead.
    public static func parse(_ text: String) -> Result<NodeAddress, ValueProblem> {
        self.parseLiteral(text).mapError { problem in
            ValueProblem(
                "'\(text)' \(problem.reason)",
                hint: "write an IPv4 or IPv6 address or a DNS name, e.g. 10.0.0.12"
            )
        }
    }

    private static func parseLiteral(_ text: String) -> Result<NodeAddress, AddressProblem> {
        if text.isEmpty { return .failure(AddressProblem("is empty")) }
        if text.contains(":") {
            return isIPv6(text) ? .success(.ipv6(text)) : .failure(AddressProblem("is not a valid IPv6 address"))
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) {
            // Only digits and dots: it must be a full dotted quad with every part 0-255.
            guard parts.count == 4 else {
                return .failure(AddressProblem("is not a valid IPv4 address: it has \(parts.count) parts, not 4"))
            }
            for part in parts {
                guard let value = Int(part), value <= 255 else {
                    return .failure(AddressProblem("is not a valid IPv4 address: \(part) is over 255"))
                }
                if part.count > 1 && part.hasPrefix("0") {
                    return .failure(AddressProblem("is not a valid IPv4 address: \(part) has a leading zero"))
                }
            }
            return .success(.ipv4(text))
        }
        return isHostname(text)
            ? .success(.hostname(text))
            : .failure(AddressProblem("is neither an IP address nor a valid DNS name"))
    }

    private static func isHostname(_ text: String) -> Bool {
        guard text.utf8.count <= 253 else { return false }
        let labels =
            text.hasSuffix(".")
            ? text.dropLast().split(separator: ".", omittingEmptySubsequences: false)
            : text.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && labels.allSatisfy { DNSLabel.isValid(String($0)) }
    }

    private static func isIPv6(_ text: String) -> Bool {
        // Hand-written: Foundation has no address parser on Linux that rejects what inet_pton rejects.
        let pieces = text.components(separatedBy: "::")
        guard pieces.count <= 2 else { return false }
        func groups(_ part: String) -> [Substring]? {
            if part.isEmpty { return [] }
            let groups = part.split(separator: ":", omittingEmptySubsequences: false)
            guard groups.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) }) else { return nil }
            return groups
        }
        guard let head = groups(pieces[0]) else { return false }
        let tail = pieces.count == 2 ? groups(pieces[1]) : []
        guard let tail else { return false }
        let count = head.count + tail.count
        return pieces.count == 2 ? count < 8 : count == 8
    }
}

/// Why a string is not a usable address.
private struct AddressProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Names that must be DNS labels: node names, the cluster name.
public enum DNSLabel {
    /// Lowercase letters, digits and `-`, 1-63 characters, starting and ending with a letter or digit.
    public static func isValid(_ text: String, allowUppercase: Bool = true) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard (1...63).contains(scalars.count) else { return false }
        func alphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
                || (allowUppercase && ("A"..."Z").contains(scalar))
        }
        guard alphanumeric(scalars.first!), alphanumeric(scalars.last!) else { return false }
        return scalars.allSatisfy { alphanumeric($0) || $0 == "-" }
    }
}

extension Character {
    var isASCIIDigit: Bool { self.isASCII && self.isNumber }
}
