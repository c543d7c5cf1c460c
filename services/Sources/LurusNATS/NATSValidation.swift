/// Checks of what the client puts on the wire, so a bad subject cannot break the protocol.
enum NATSValidation {
    /// Throws unless `value` is a non-empty protocol token: no spaces, tabs or control characters.
    static func token(_ value: String, role: String) throws(NATSError) {
        guard !value.isEmpty else {
            throw .protocolViolation("empty \(role)")
        }
        guard !value.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .protocolViolation(
                "\(role) \(value.debugDescription) contains whitespace or control characters"
            )
        }
    }

    /// Throws unless `name: value` can be written as a header line.
    static func header(name: String, value: String) throws(NATSError) {
        guard !name.isEmpty,
            !name.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: ":") })
        else {
            throw .protocolViolation("invalid header name \(name.debugDescription)")
        }
        guard !value.utf8.contains(where: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") })
        else {
            throw .protocolViolation("header \(name) has a line break in its value")
        }
    }
}
