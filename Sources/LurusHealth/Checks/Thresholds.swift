/// How a measured value compares with its warning and critical levels. Pure.
enum Thresholds {
    /// For values where more is worse (disk use, connections): at or over `critical`, at or over `warning`.
    static func above(_ value: Double, warning: Double, critical: Double) -> HealthStatus {
        value >= critical ? .critical : value >= warning ? .warning : .ok
    }

    /// For values where less is worse (memory available, days a certificate has left).
    static func below(_ value: Double, warning: Double, critical: Double) -> HealthStatus {
        value <= critical ? .critical : value <= warning ? .warning : .ok
    }

    /// `42%`, `0.5%`.
    static func percent(_ value: Double) -> String {
        value >= 10 || value == value.rounded() ? "\(Int(value.rounded()))%" : "\((value * 10).rounded() / 10)%"
    }
}
