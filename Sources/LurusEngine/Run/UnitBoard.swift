/// Where units of a run post how they ended, and where units wait for the ones they need, across nodes.
///
/// A unit that is not part of the run (its node or component was not selected) counts as done, so
/// `--on` and `--only` never wait for work that will not happen.
actor UnitBoard {
    private var results: [UnitID: UnitResult] = [:]
    private var waiting: [UnitID: [CheckedContinuation<UnitResult, Never>]] = [:]
    private let members: Set<UnitID>

    init(members: Set<UnitID>) {
        self.members = members
    }

    func post(_ result: UnitResult) {
        self.results[result.unit] = result
        for waiter in self.waiting.removeValue(forKey: result.unit) ?? [] { waiter.resume(returning: result) }
    }

    /// How `unit` ended, once it has; at once for a unit outside the run.
    func result(of unit: UnitID) async -> UnitResult {
        if !self.members.contains(unit) { return UnitResult(unit: unit, status: .unchanged) }
        if let result = self.results[unit] { return result }
        return await withCheckedContinuation { self.waiting[unit, default: []].append($0) }
    }
}
