/// The changes of state a run confirmed, one line each, for a cron job that mails only what changed:
/// nothing at all when nothing changed. Pure.
public enum ChangesFormat {
    public static func text(_ changes: [HealthHistory.Change]) -> String {
        guard !changes.isEmpty else { return "" }
        return changes.map { change in
            let result = change.result
            let was =
                change.from.map { from in
                    " (was \(from.word)" + (change.after.map { " for \(DataChecks.age($0))" } ?? "") + ")"
                } ?? ""
            let fix = result.fix.map { " (fix: \($0))" } ?? ""
            return "\(result.status.word)\(was) \(result.node) \(result.check): \(result.summary)\(fix)"
        }.joined(separator: "\n") + "\n"
    }
}
