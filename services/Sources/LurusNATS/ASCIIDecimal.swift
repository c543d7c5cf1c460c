/// A run of ASCII decimal digits as a number: the protocol's lengths and ids, and the counters in ack subjects.
enum ASCIIDecimal {
    /// The value of `bytes` if they are only digits (at least one) and it fits in a UInt64; otherwise nil.
    static func uint64(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }
}
