import Foundation

/// The order to try a model's candidates in for one request.
enum CandidateOrder {
    /// Higher priority first; within one priority a weighted shuffle (Efraimidis–Spirakis: sort by
    /// u^(1/w)); resting providers left out. `random` returns values in (0, 1].
    static func arrange(
        _ candidates: [Candidate],
        resting: (String) -> Bool,
        random: () -> Double = { Double.random(in: Double.ulpOfOne...1) }
    ) -> [Candidate] {
        let available = candidates.filter { !resting($0.provider.name) }
        let keyed = available.map { candidate in
            (candidate, pow(random(), 1 / candidate.provider.weight))
        }
        return keyed.sorted { left, right in
            if left.0.provider.priority != right.0.provider.priority {
                return left.0.provider.priority > right.0.provider.priority
            }
            return left.1 > right.1
        }.map(\.0)
    }
}
