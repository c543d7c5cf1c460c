extension Duration {
    /// Whole nanoseconds (HTTP client timeouts).
    public var nanoseconds: Int64 {
        self.components.seconds * 1_000_000_000 + self.components.attoseconds / 1_000_000_000
    }

    /// Milliseconds with fractions (usage records).
    public var milliseconds: Double {
        Double(self.components.seconds) * 1000 + Double(self.components.attoseconds) / 1e15
    }
}
