import Foundation
import Testing

@testable import LurusBilling

/// Leases against a real PostgreSQL: a gateway holds a block of a wallet and spends from it locally; its
/// requests' usage settles out of the lease, what it did not spend is given back once, and a lease
/// nobody gives back expires. The wallet never goes below zero and always equals its ledger.
@Suite(.timeLimit(.minutes(2))) struct LeaseTests {
    @Test func aLeaseIsSpentByItsRequestsAndWhatIsLeftIsGivenBackOnce() async throws {
        try await BillingFixture.with { fixture in
            let (user, key, _) = try await fixture.customer(balance: Micros(1_000_000))
            // Never more than half of what is free, however much is wanted.
            let first = try await fixture.store.lease(
                leaseID: "lease_a",
                keyID: key.id,
                want: Micros(5_000_000),
                minimum: Micros(1000),
                ttl: .seconds(60)
            )
            #expect(
                first.verdict == .reserved && first.granted == Micros(500_000) && first.available == Micros(500_000)
            )
            // A retried call answers with the same grant and holds nothing more.
            let retried = try await fixture.store.lease(
                leaseID: "lease_a",
                keyID: key.id,
                want: Micros(5_000_000),
                minimum: Micros(1000),
                ttl: .seconds(60)
            )
            #expect(retried.granted == Micros(500_000))
            #expect(try await fixture.store.user(id: user.id)!.reserved == Micros(500_000))

            // Three requests spent from it; two are settled before the gateway gives back the rest.
            let costs: [Int64] = [120_000, 30_000, 50_000]
            _ = try await fixture.store.settle([
                BillingFixture.charge("req_1", key: key.id, micros: costs[0], lease: "lease_a"),
                BillingFixture.charge("req_2", key: key.id, micros: costs[1], lease: "lease_a"),
            ])
            var wallet = try #require(try await fixture.store.user(id: user.id))
            #expect(wallet.balance == Micros(1_000_000 - 150_000) && wallet.reserved == Micros(500_000 - 150_000))

            // The gateway spent 200,000 of 500,000: 300,000 unused; 50,000 stays held for req_3's usage.
            let released = try await fixture.store.release(leaseID: "lease_a", unused: Micros(300_000))
            #expect(released.released == Micros(300_000) && released.stillHeld == Micros(50_000))
            let again = try await fixture.store.release(leaseID: "lease_a", unused: Micros(300_000))
            #expect(again.released == .zero, "a second release gives back nothing")
            wallet = try #require(try await fixture.store.user(id: user.id))
            #expect(wallet.reserved == Micros(50_000))

            _ = try await fixture.store.settle([
                BillingFixture.charge("req_3", key: key.id, micros: costs[2], lease: "lease_a")
            ])
            wallet = try #require(try await fixture.store.user(id: user.id))
            #expect(wallet.balance == Micros(1_000_000 - costs.reduce(0, +)) && wallet.reserved == .zero)
            #expect(
                try await fixture.scalar("SELECT sum(amount) FROM ledger WHERE user_id = '\(user.id)'")
                    == "\(wallet.balance.value)"
            )
        }
    }

    @Test func aRequestCostingMoreThanItsLeaseHoldsIsChargedFromWhatIsFreeNeverBelowZero() async throws {
        try await BillingFixture.with { fixture in
            let (user, key, _) = try await fixture.customer(balance: Micros(10_000))
            let lease = try await fixture.store.lease(
                leaseID: "lease_small",
                keyID: key.id,
                want: Micros(4000),
                minimum: Micros(4000),
                ttl: .seconds(60)
            )
            #expect(lease.granted == Micros(4000), "what was wanted: less than half of the 10,000 free")
            // Costs of 9,000 and 3,000 on a lease of 4,000 and a wallet of 10,000: 10,000 charged, 2,000 short.
            let summary = try await fixture.store.settle([
                BillingFixture.charge("req_1", key: key.id, micros: 9000, lease: "lease_small"),
                BillingFixture.charge("req_2", key: key.id, micros: 3000, lease: "lease_small"),
            ])
            #expect(summary.settled == 2 && summary.shortfall == Micros(2000))
            let wallet = try #require(try await fixture.store.user(id: user.id))
            #expect(wallet.balance == .zero && wallet.reserved == .zero)
        }
    }

    @Test func concurrentLeasesNeverTakeMoreThanIsFree() async throws {
        try await BillingFixture.with { fixture in
            let (user, key, _) = try await fixture.customer(balance: Micros(100_000))
            let answers = try await withThrowingTaskGroup(of: (ReservationVerdict, Micros).self) { group in
                for index in 0..<60 {
                    group.addTask {
                        let answer = try await fixture.store.lease(
                            leaseID: "lease_\(index)",
                            keyID: key.id,
                            want: Micros(50_000),
                            minimum: Micros(2000),
                            ttl: .seconds(60)
                        )
                        return (answer.verdict, answer.granted)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let granted = answers.filter { $0.0 == .reserved }.map(\.1.value).reduce(0, +)
            let refused = answers.filter { $0.0 == .insufficientBalance }.count
            #expect(granted <= 100_000 && granted > 96_000, "granted \(granted)")
            #expect(refused > 0 && refused + answers.filter { $0.0 == .reserved }.count == 60)
            let wallet = try #require(try await fixture.store.user(id: user.id))
            #expect(wallet.reserved == Micros(granted) && wallet.balance == Micros(100_000))
        }
    }

    @Test func budgetsCapLeasesRatedKeysHoldPerRequestAndUnreturnedLeasesExpire() async throws {
        try await BillingFixture.with { fixture in
            let (_, budgeted, _) = try await fixture.customer(
                balance: Micros(1_000_000),
                limits: KeyLimits(budget: Micros(30_000), period: .day)
            )
            let capped = try await fixture.store.lease(
                leaseID: "lease_b1",
                keyID: budgeted.id,
                want: Micros(900_000),
                minimum: Micros(1000),
                ttl: .seconds(1)
            )
            #expect(capped.verdict == .reserved && capped.granted == Micros(15_000), "half the budget left")
            let second = try await fixture.store.lease(
                leaseID: "lease_b2",
                keyID: budgeted.id,
                want: Micros(900_000),
                minimum: Micros(15_000),
                ttl: .seconds(1)
            )
            #expect(second.granted == Micros(15_000))
            let over = try await fixture.store.lease(
                leaseID: "lease_b3",
                keyID: budgeted.id,
                want: Micros(900_000),
                minimum: Micros(1000),
                ttl: .seconds(1)
            )
            #expect(over.verdict == .overBudget)

            let (_, rated, _) = try await fixture.customer(
                balance: Micros(1_000_000),
                limits: KeyLimits(requestsPerMinute: 10)
            )
            let perRequest = try await fixture.store.lease(
                leaseID: "lease_r",
                keyID: rated.id,
                want: Micros(10_000),
                minimum: Micros(1000),
                ttl: .seconds(60)
            )
            #expect(perRequest.verdict == .perRequest && perRequest.granted == .zero)

            // Nobody gives the budgeted leases back: after their second they expire and the budget is free.
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await fixture.store.expireReservations() == 2)
            #expect(try await fixture.scalar("SELECT reserved FROM key_spend WHERE key_id = '\(budgeted.id)'") == "0")
            #expect(try await fixture.scalar("SELECT sum(reserved) FROM wallets") == "0")
            let renewed = try await fixture.store.lease(
                leaseID: "lease_b4",
                keyID: budgeted.id,
                want: Micros(900_000),
                minimum: Micros(1000),
                ttl: .seconds(60)
            )
            #expect(renewed.granted == Micros(15_000))
        }
    }

    /// Two replicas settle batches whose events interleave two leases of one key, while leases are
    /// granted, released and swept: the locks are taken in one order, so no transaction is chosen as a
    /// deadlock victim (PostgreSQL would fail it with 40P01) and every event is charged once.
    @Test func settlingLeasingReleasingAndExpiringAtOnceNeverDeadlocks() async throws {
        try await BillingFixture.with { fixture in
            let (user, key, _) = try await fixture.customer(
                balance: Micros(100_000_000),
                limits: KeyLimits(budget: Micros(90_000_000), period: .month)
            )
            for lease in ["lease_x", "lease_y"] {
                _ = try await fixture.store.lease(
                    leaseID: lease,
                    keyID: key.id,
                    want: Micros(10_000_000),
                    minimum: Micros(1),
                    ttl: .seconds(60)
                )
            }
            let rounds = 40
            try await withThrowingTaskGroup(of: Void.self) { group in
                for replica in 0..<2 {
                    group.addTask {
                        for round in 0..<rounds {
                            // Replica 0 lists lease_x's events first, replica 1 lease_y's.
                            let leases = replica == 0 ? ["lease_x", "lease_y"] : ["lease_y", "lease_x"]
                            let charges = (0..<6).map { index in
                                BillingFixture.charge(
                                    "req_\(replica)_\(round)_\(index)",
                                    key: key.id,
                                    micros: 10,
                                    lease: leases[index % 2]
                                )
                            }
                            _ = try await fixture.store.settle(charges)
                        }
                    }
                }
                group.addTask {
                    for round in 0..<rounds {
                        _ = try await fixture.store.lease(
                            leaseID: "lease_churn_\(round)",
                            keyID: key.id,
                            want: Micros(1000),
                            minimum: Micros(1),
                            ttl: .seconds(1)
                        )
                        _ = try await fixture.store.release(leaseID: "lease_churn_\(round)", unused: Micros(1000))
                        _ = try await fixture.store.expireReservations()
                    }
                }
                try await group.waitForAll()
            }
            let wallet = try #require(try await fixture.store.user(id: user.id))
            #expect(wallet.balance == Micros(100_000_000 - Int64(2 * rounds * 6 * 10)))
            #expect(try await fixture.scalar("SELECT count(*) FROM ledger WHERE kind = 'usage'") == "\(2 * rounds * 6)")
            #expect(
                try await fixture.scalar(
                    "SELECT sum(amount) FROM reservations WHERE request_id IN ('lease_x', 'lease_y')"
                )
                    == "\(20_000_000 - 2 * rounds * 6 * 10)"
            )
        }
    }
}
