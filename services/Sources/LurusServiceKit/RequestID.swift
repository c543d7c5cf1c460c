/// Request ids: "req_" and 128 random bits in hex. Each is the usage record's JetStream message
/// id, so two requests must never share one.
public enum RequestID {
    /// A new id from the system's random source (getrandom), without Foundation's UUID, which
    /// opens /dev/urandom for every id.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let halves = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeBytes(of: halves) { "req_" + Hex.lowercase($0) }
    }
}
