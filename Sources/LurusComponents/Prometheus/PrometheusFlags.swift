import LurusInventory

/// Inventory values written as Prometheus's flags and configuration take them.
enum PrometheusFlags {
    /// A duration in the largest whole unit: `15d`, `90s`, `1500ms`.
    static func duration(_ duration: InventoryDuration) -> String { self.duration(milliseconds: duration.milliseconds) }

    /// `units` largest first; Go's durations have no days (`JaegerComponent`).
    static func duration(
        milliseconds: Int64,
        units: [(String, Int)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
    ) -> String {
        for (unit, size) in units
        where milliseconds % Int64(size) == 0 && milliseconds >= Int64(size) {
            return "\(milliseconds / Int64(size))\(unit)"
        }
        return "\(milliseconds)ms"
    }

    /// A size in whole mebibytes as `--storage.tsdb.retention.size` takes it (`MB` is 2^20 there).
    static func size(_ bytes: Int64) -> String { "\(max(1, bytes >> 20))MB" }
}
