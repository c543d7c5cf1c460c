/// How big a lease to ask for and how long to use it.
struct LeasePolicy: Sendable, Equatable {
    /// A lease is used at most this long, then given back (so a key's unspent money is not held long).
    var window: Duration = .seconds(5)
    /// A first lease is this many times the request's estimate; busy keys get larger ones.
    var initialScale: Int64 = 16
    var maximumScale: Int64 = 4096
    /// Never more than this is asked for at once ($100).
    var maximumWant: Int64 = 100_000_000
}

/// The gateway's leases, per key: pure state, no I/O. A request takes its estimate from its key's lease;
/// when it ends, the part of the estimate it did not cost comes back. A lease that is used up or older
/// than the policy's window is retired: no request takes from it any more, and once its last request
/// has ended, what is left is given back to billing (a ``Release``).
///
/// Why it is safe: billing holds the whole grant until usage settles it, and the gateway never lets its
/// requests' estimates exceed what is left, so the requests of a lease can never together spend more
/// than billing holds for them.
struct LeaseBook: Sendable {
    struct Lease: Sendable, Equatable {
        let id: String
        let granted: Int64
        /// Not taken by a request in flight nor spent by one that ended. Below zero when requests cost
        /// more than their estimates.
        var remaining: Int64
        var inFlight: Int
        let started: ContinuousClock.Instant
    }

    /// What to give back to billing: a retired lease with no request in flight.
    struct Release: Sendable, Equatable {
        let leaseID: String
        let unused: Int64
    }

    enum Take: Sendable, Equatable {
        /// The estimate was taken from this lease.
        case took(leaseID: String)
        /// No lease covers it: ask billing for one of `want`, at least `minimum`.
        case needLease(want: Int64, minimum: Int64)
        /// This key is held per request (it has a request rate limit).
        case perRequest
    }

    struct Account: Sendable {
        var current: Lease?
        var retired: [String: Lease] = [:]
        var scale: Int64
        var perRequestUntil: ContinuousClock.Instant?
    }

    let policy: LeasePolicy
    private(set) var accounts: [String: Account] = [:]

    init(policy: LeasePolicy) {
        self.policy = policy
    }

    /// Takes `micros` for one request of `keyID`, or says what is needed first.
    mutating func take(keyID: String, micros: Int64, now: ContinuousClock.Instant) -> (Take, [Release]) {
        let micros = max(micros, 1)
        var account = self.accounts[keyID] ?? Account(scale: self.policy.initialScale)
        defer { self.accounts[keyID] = account }
        if let until = account.perRequestUntil {
            if now < until { return (.perRequest, []) }
            account.perRequestUntil = nil
        }
        var releases: [Release] = []
        if var lease = account.current {
            let aged = now - lease.started >= self.policy.window
            if !aged && lease.remaining >= micros {
                lease.remaining -= micros
                lease.inFlight += 1
                account.current = lease
                return (.took(leaseID: lease.id), [])
            }
            // Used up early: the key is busier than its leases; ask for more next time.
            if !aged && now - lease.started < self.policy.window / 2 {
                account.scale = min(account.scale * 4, self.policy.maximumScale)
            } else if aged && lease.remaining > lease.granted / 2 {
                account.scale = max(account.scale / 2, self.policy.initialScale)
            }
            releases += Self.retire(&account)
        }
        let want = min(max(micros, Self.product(micros, account.scale)), max(self.policy.maximumWant, micros))
        return (.needLease(want: want, minimum: micros), releases)
    }

    /// Billing granted `granted` as `leaseID`: it becomes the key's lease (one already there is retired).
    mutating func install(
        keyID: String,
        leaseID: String,
        granted: Int64,
        now: ContinuousClock.Instant
    ) -> [Release] {
        var account = self.accounts[keyID] ?? Account(scale: self.policy.initialScale)
        defer { self.accounts[keyID] = account }
        let releases = Self.retire(&account)
        account.current = Lease(id: leaseID, granted: granted, remaining: granted, inFlight: 0, started: now)
        return releases
    }

    /// Billing said to hold this key per request, for `duration`.
    mutating func holdPerRequest(keyID: String, for duration: Duration, now: ContinuousClock.Instant) {
        self.accounts[keyID, default: Account(scale: self.policy.initialScale)].perRequestUntil = now + duration
    }

    /// A request that took `micros` from `leaseID` ended, costing `cost`.
    mutating func finish(keyID: String, leaseID: String, micros: Int64, cost: Int64) -> Release? {
        guard var account = self.accounts[keyID] else { return nil }
        defer { self.accounts[keyID] = account }
        let back = max(micros, 1) - max(cost, 0)
        if var lease = account.current, lease.id == leaseID {
            lease.remaining += back
            lease.inFlight -= 1
            account.current = lease
            return nil
        }
        guard var lease = account.retired[leaseID] else { return nil }
        lease.remaining += back
        lease.inFlight -= 1
        if lease.inFlight > 0 {
            account.retired[leaseID] = lease
            return nil
        }
        account.retired[leaseID] = nil
        return Release(leaseID: lease.id, unused: max(lease.remaining, 0))
    }

    /// Retires every lease past the window (a key that went quiet), and forgets retired leases whose
    /// requests never ended (`forgetAfter`: billing has expired them by then) and empty accounts.
    mutating func retireAged(now: ContinuousClock.Instant, forgetAfter: Duration) -> [Release] {
        var releases: [Release] = []
        for keyID in Array(self.accounts.keys) {
            guard var account = self.accounts[keyID] else { continue }
            if let lease = account.current, now - lease.started >= self.policy.window {
                if lease.remaining > lease.granted / 2 {
                    account.scale = max(account.scale / 2, self.policy.initialScale)
                }
                releases += Self.retire(&account)
            }
            account.retired = account.retired.filter { now - $0.value.started < forgetAfter }
            if account.current == nil && account.retired.isEmpty && account.perRequestUntil.map({ $0 <= now }) ?? true {
                self.accounts[keyID] = nil
            } else {
                self.accounts[keyID] = account
            }
        }
        return releases
    }

    /// At shutdown: every lease given back now, for what no request has taken. (What requests in flight
    /// took stays held in billing until their usage settles it or the lease expires.)
    mutating func retireAll() -> [Release] {
        var releases: [Release] = []
        for account in self.accounts.values {
            for lease in [account.current].compactMap({ $0 }) + Array(account.retired.values) {
                releases.append(Release(leaseID: lease.id, unused: max(lease.remaining, 0)))
            }
        }
        self.accounts = [:]
        return releases
    }

    private static func retire(_ account: inout Account) -> [Release] {
        guard let lease = account.current else { return [] }
        account.current = nil
        if lease.inFlight == 0 { return [Release(leaseID: lease.id, unused: max(lease.remaining, 0))] }
        account.retired[lease.id] = lease
        return []
    }

    private static func product(_ micros: Int64, _ scale: Int64) -> Int64 {
        let (value, overflow) = micros.multipliedReportingOverflow(by: scale)
        return overflow ? .max : value
    }
}
