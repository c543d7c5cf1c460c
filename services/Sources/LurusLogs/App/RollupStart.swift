import Synchronization

/// The hour from which the stats rollup holds every row, learnt once the schema is migrated (see
/// `LogSchemaMigrator.rollupStart`). Until then, stats read every row from the request log.
final class RollupStart: Sendable {
    private let seconds = Atomic<Int64>(Int64.min)

    var value: Int64? {
        let seconds = self.seconds.load(ordering: .acquiring)
        return seconds == Int64.min ? nil : seconds
    }

    func set(_ value: Int64?) {
        self.seconds.store(value ?? Int64.min, ordering: .releasing)
    }
}
