import Testing

@testable import LurusGateway

/// The gateway's lease book, pure: what a request takes, what comes back, when a lease is given back
/// and how much of it.
@Suite struct LeaseBookTests {
    let start = ContinuousClock.now
    let policy = LeasePolicy(window: .seconds(5), initialScale: 16, maximumScale: 256, maximumWant: 1_000_000)

    @Test func requestsTakeTheirEstimateAndGetBackWhatTheyDidNotCost() {
        var book = LeaseBook(policy: self.policy)
        #expect(book.take(keyID: "k", micros: 100, now: self.start).0 == .needLease(want: 1600, minimum: 100))
        #expect(book.install(keyID: "k", leaseID: "L1", granted: 1000, now: self.start).isEmpty)
        #expect(book.take(keyID: "k", micros: 400, now: self.start).0 == .took(leaseID: "L1"))
        #expect(book.take(keyID: "k", micros: 400, now: self.start).0 == .took(leaseID: "L1"))
        #expect(book.accounts["k"]?.current?.remaining == 200)
        // The first cost 150 of its 400: 250 back, so a third fits.
        #expect(book.finish(keyID: "k", leaseID: "L1", micros: 400, cost: 150) == nil)
        #expect(book.take(keyID: "k", micros: 400, now: self.start).0 == .took(leaseID: "L1"))
        #expect(
            book.accounts["k"]?.current
                == LeaseBook.Lease(id: "L1", granted: 1000, remaining: 50, inFlight: 2, started: self.start)
        )
    }

    @Test func aUsedUpLeaseIsGivenBackWhenItsLastRequestEndsWithWhatIsLeft() {
        var book = LeaseBook(policy: self.policy)
        _ = book.install(keyID: "k", leaseID: "L1", granted: 1000, now: self.start)
        _ = book.take(keyID: "k", micros: 600, now: self.start)
        _ = book.take(keyID: "k", micros: 300, now: self.start)
        // 100 left: a request of 200 retires L1 (two in flight, so nothing is given back yet).
        let (take, releases) = book.take(keyID: "k", micros: 200, now: self.start + .seconds(1))
        #expect(releases.isEmpty)
        #expect(take == .needLease(want: 200 * 64, minimum: 200), "used up in under half the window: 4× larger")
        _ = book.install(keyID: "k", leaseID: "L2", granted: 12_800, now: self.start + .seconds(1))
        #expect(book.finish(keyID: "k", leaseID: "L1", micros: 600, cost: 100) == nil)
        // The last one ends: 100 left + 500 + 250 back.
        #expect(
            book.finish(keyID: "k", leaseID: "L1", micros: 300, cost: 50)
                == LeaseBook.Release(leaseID: "L1", unused: 850)
        )
        #expect(book.accounts["k"]?.retired.isEmpty == true)
        #expect(book.finish(keyID: "k", leaseID: "L1", micros: 300, cost: 50) == nil, "once")
    }

    @Test func anAgedLeaseIsRetiredAndAMostlyUnusedOneHalvesTheNextSize() {
        var book = LeaseBook(policy: self.policy)
        _ = book.take(keyID: "k", micros: 100, now: self.start)
        _ = book.install(keyID: "k", leaseID: "L1", granted: 1600, now: self.start)
        _ = book.take(keyID: "k", micros: 100, now: self.start)
        _ = book.finish(keyID: "k", leaseID: "L1", micros: 100, cost: 40)
        let (take, releases) = book.take(keyID: "k", micros: 100, now: self.start + .seconds(5))
        #expect(releases == [LeaseBook.Release(leaseID: "L1", unused: 1560)])
        #expect(take == .needLease(want: 1600, minimum: 100), "already at the smallest scale")
        // A busy key's scale grows to the maximum, and what is wanted stays within the cap.
        for round in 0..<6 {
            let now = self.start + .seconds(10 + round)
            _ = book.install(keyID: "k", leaseID: "B\(round)", granted: 100, now: now)
            _ = book.take(keyID: "k", micros: 100, now: now)
            _ = book.take(keyID: "k", micros: 100, now: now)  // used up at once
        }
        #expect(book.accounts["k"]?.scale == 256)
        #expect(
            book.take(keyID: "k", micros: 9000, now: self.start + .seconds(17)).0
                == .needLease(want: 1_000_000, minimum: 9000)
        )
        #expect(
            book.take(keyID: "big", micros: 2_000_000, now: self.start).0
                == .needLease(want: 2_000_000, minimum: 2_000_000)
        )
    }

    @Test func aKeyHeldPerRequestIsSoForTheGivenTime() {
        var book = LeaseBook(policy: self.policy)
        book.holdPerRequest(keyID: "k", for: .seconds(30), now: self.start)
        #expect(book.take(keyID: "k", micros: 10, now: self.start + .seconds(29)).0 == .perRequest)
        #expect(
            book.take(keyID: "k", micros: 10, now: self.start + .seconds(30)).0 == .needLease(want: 160, minimum: 10)
        )
    }

    @Test func quietLeasesAreGivenBackAndEverythingAtShutdown() {
        var book = LeaseBook(policy: self.policy)
        _ = book.install(keyID: "quiet", leaseID: "Q", granted: 500, now: self.start)
        _ = book.install(keyID: "busy", leaseID: "B", granted: 500, now: self.start + .seconds(4))
        _ = book.take(keyID: "busy", micros: 100, now: self.start + .seconds(4))
        let releases = book.retireAged(now: self.start + .seconds(6), forgetAfter: .seconds(900))
        #expect(releases == [LeaseBook.Release(leaseID: "Q", unused: 500)])
        #expect(book.accounts["quiet"] == nil, "an empty account is forgotten")
        #expect(book.retireAll() == [LeaseBook.Release(leaseID: "B", unused: 400)])
        #expect(book.accounts.isEmpty)
    }

    /// Random takes and ends on many leases: when every request costs at most its estimate, what the
    /// requests of a lease cost plus what is given back never exceeds its grant (billing's hold is never
    /// overdrawn), and nothing of a fully ended lease is lost.
    @Test func aLeaseIsNeverOverspent() {
        var random = SplitMix(seed: 42)
        var book = LeaseBook(policy: self.policy)
        var inFlight: [(lease: String, micros: Int64)] = []
        var granted: [String: Int64] = [:]
        var spent: [String: Int64] = [:]
        var given: [String: Int64] = [:]
        var now = self.start
        var leases = 0
        func record(_ releases: [LeaseBook.Release]) {
            for release in releases {
                #expect(given[release.leaseID] == nil, "given back once")
                given[release.leaseID] = release.unused
            }
        }
        for _ in 0..<5000 {
            now = now + .milliseconds(Int64(random.next() % 20))
            if inFlight.isEmpty || random.next() % 2 == 0 {
                let micros = Int64(random.next() % 500) + 1
                let (take, releases) = book.take(keyID: "k", micros: micros, now: now)
                record(releases)
                switch take {
                case .took(let lease): inFlight.append((lease, micros))
                case .needLease(_, let minimum):
                    leases += 1
                    let grant = minimum + Int64(random.next() % 3000)
                    granted["L\(leases)"] = grant
                    record(book.install(keyID: "k", leaseID: "L\(leases)", granted: grant, now: now))
                case .perRequest: Issue.record("never asked")
                }
            } else {
                let (lease, micros) = inFlight.remove(at: Int(random.next() % UInt64(inFlight.count)))
                let cost = Int64(random.next() % UInt64(micros + 1))
                spent[lease, default: 0] += cost
                if let release = book.finish(keyID: "k", leaseID: lease, micros: micros, cost: cost) {
                    record([release])
                }
            }
        }
        for (lease, micros) in inFlight {
            spent[lease, default: 0] += micros
            if let release = book.finish(keyID: "k", leaseID: lease, micros: micros, cost: micros) { record([release]) }
        }
        record(book.retireAll())
        #expect(leases > 20)
        for (lease, grant) in granted {
            let back = given[lease]
            #expect(back != nil, "\(lease) given back")
            #expect((back ?? 0) + spent[lease, default: 0] == grant, "\(lease): nothing lost, nothing overspent")
        }
    }
}

/// A small seeded generator, so that the random test is the same every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
