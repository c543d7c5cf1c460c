import ArgumentParser
import LurusInventory

/// `--lock-wait DURATION`, shared by the verbs that take the cluster lock (`up`, `deploy`, `rollback`).
struct LockWaitOption: ParsableArguments {
    @Option(
        name: .customLong("lock-wait"),
        help: ArgumentHelp(
            "Wait up to this long for the cluster lock (e.g. 30s, 5m) instead of failing.",
            valueName: "duration"
        )
    )
    var text: String?

    func validate() throws {
        if let text = self.text, InventoryDuration.parse(text) == nil {
            throw ValidationError("--lock-wait '\(text)' is not a duration: write e.g. 30s or 5m")
        }
    }

    /// The wait, or nil to fail at once when the lock is held.
    var duration: Duration? {
        self.text.flatMap(InventoryDuration.parse).map { Duration.milliseconds($0.milliseconds) }
    }
}
