import Foundation
import Testing

@testable import LurusBilling

/// The money promises against a real PostgreSQL: each request charged once, no wallet below zero under
/// concurrent holds, holds released by their usage or their expiry, budgets and rates enforced, top-ups
/// credited once.
@Suite(.timeLimit(.minutes(2))) struct LedgerTests {
    @Test func aRequestIsChargedOnceHoweverOftenItsUsageArrives() async throws {
        try await BillingFixture.with { fixture in
            let (user, key, _) = try await fixture.customer(balance: Micros(decimal: "10")!)
            let first = try await fixture.store.settle([
                BillingFixture.charge("req_1", key: key.id, micros: 4542),
                BillingFixture.charge("req_2", key: key.id, micros: 1000),
                BillingFixture.charge("req_1", key: key.id, micros: 4542),  // twice in one batch
            ])
            #expect(first == SettlementSummary(settled: 2, duplicates: 1, unattributed: 0, shortfall: .zero))
            let again = try await fixture.store.settle([BillingFixture.charge("req_2", key: key.id, micros: 1000)])
            #expect(again.duplicates == 1 && again.settled == 0)
            let wallet = try #require(try await fixture.store.user(id: user.id))
            #expect(wallet.balance == Micros(10_000_000 - 5542))
            #expect(try await fixture.scalar("SELECT count(*) FROM ledger WHERE kind = 'usage'") == "2")
            // The wallet is the sum of its ledger.
            #expect(
                try await fixture.scalar("SELECT sum(amount) FROM ledger WHERE user_id = '\(user.id)'")
                    == "\(wallet.balance.value)"
            )
        }
    }

    @Test func concurrentHoldsNeverTakeMoreThanTheBalance() async throws {
        try await BillingFixture.with { fixture in
            // $0.01 and 200 requests at once, each holding up to $0.001: exactly 10 fit.
            let (user, key, _) = try await fixture.customer(balance: Micros(10_000))
            let verdicts = try await withThrowingTaskGroup(of: (String, ReservationVerdict).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let id = "req_\(index)"
                        let answer = try await fixture.store.reserve(
                            requestID: id,
                            keyID: key.id,
                            amount: Micros(1000),
                            ttl: .seconds(60)
                        )
                        return (id, answer.verdict)
                    }
                }
                return try await group.reduce(into: [String: ReservationVerdict]()) { $0[$1.0] = $1.1 }
            }
            let held = verdicts.filter { $0.value == .reserved }.map(\.key)
            #expect(held.count == 10)
            #expect(verdicts.values.filter { $0 == .insufficientBalance }.count == 190)
            let holding = try #require(try await fixture.store.user(id: user.id))
            #expect(holding.reserved == Micros(10_000) && holding.balance == Micros(10_000))

            // Each held request settles at less than it held; events of refused ones (as from a gateway that
            // forwarded anyway) are charged only from what is free: never below zero.
            let charges = (0..<200).map { BillingFixture.charge("req_\($0)", key: key.id, micros: 700) }
            let summary = try await fixture.store.settle(UsageCharge.lockOrder(charges))
            #expect(summary.settled == 200)
            let after = try #require(try await fixture.store.user(id: user.id))
            #expect(after.reserved == .zero)
            #expect(after.balance.value >= 0)
            #expect(10_000 - after.balance.value + summary.shortfall.value == 200 * 700, "charged + shortfall = cost")
            #expect(
                try await fixture.scalar("SELECT sum(amount) FROM ledger WHERE user_id = '\(user.id)'")
                    == "\(after.balance.value)"
            )
            let list = held.map { "'\($0)'" }.joined(separator: ",")
            #expect(
                try await fixture.scalar("SELECT count(*) FROM ledger WHERE amount = -700 AND request_id IN (\(list))")
                    == "10",
                "every request that held its cost was charged in full"
            )
        }
    }

    @Test func aRetriedReservationHoldsOnce() async throws {
        try await BillingFixture.with { fixture in
            let (user, key, _) = try await fixture.customer(balance: Micros(5000))
            for _ in 0..<3 {
                let answer = try await fixture.store.reserve(
                    requestID: "req_r",
                    keyID: key.id,
                    amount: Micros(2000),
                    ttl: .seconds(60)
                )
                #expect(answer.verdict == .reserved && answer.available == Micros(3000))
            }
            #expect(try await fixture.store.user(id: user.id)?.reserved == Micros(2000))
            _ = try await fixture.store.settle([BillingFixture.charge("req_r", key: key.id, micros: 1500)])
            #expect(
                try await fixture.store.reserve(
                    requestID: "req_r",
                    keyID: key.id,
                    amount: Micros(2000),
                    ttl: .seconds(60)
                ).verdict == .settled
            )
            let after = try #require(try await fixture.store.user(id: user.id))
            #expect(after.reserved == .zero && after.balance == Micros(3500))
        }
    }

    @Test func aHoldWithoutUsageExpires() async throws {
        try await BillingFixture.with { fixture in
            let (user, key, _) = try await fixture.customer(
                balance: Micros(5000),
                limits: KeyLimits(budget: Micros(4000), period: .day)
            )
            _ = try await fixture.store.reserve(
                requestID: "req_lost",
                keyID: key.id,
                amount: Micros(3000),
                ttl: .seconds(3)
            )
            // Three seconds, so that the check before the hold's end holds on a loaded machine too.
            #expect(try await fixture.store.standing(keyID: key.id)?.available == Micros(1000))
            #expect(try await fixture.store.expireReservations() == 0, "not yet")
            try await Task.sleep(for: .milliseconds(3200))
            #expect(try await fixture.store.expireReservations() == 1)
            #expect(try await fixture.store.user(id: user.id)?.reserved == .zero)
            #expect(
                try await fixture.store.standing(keyID: key.id)?.available == Micros(4000),
                "budget hold released too"
            )
            // Its usage arriving late is still charged once, from what is free.
            let late = try await fixture.store.settle([BillingFixture.charge("req_lost", key: key.id, micros: 2500)])
            #expect(late.settled == 1 && late.shortfall == .zero)
            #expect(try await fixture.store.user(id: user.id)?.balance == Micros(2500))
        }
    }

    @Test func budgetsRatesAndRevocationRefuseSayingWhich() async throws {
        try await BillingFixture.with { fixture in
            let (_, budgeted, _) = try await fixture.customer(
                balance: Micros(1_000_000),
                limits: KeyLimits(budget: Micros(3000), period: .month)
            )
            #expect(
                try await fixture.store.reserve(
                    requestID: "b1",
                    keyID: budgeted.id,
                    amount: Micros(2000),
                    ttl: .seconds(60)
                ).verdict == .reserved
            )
            #expect(
                try await fixture.store.reserve(
                    requestID: "b2",
                    keyID: budgeted.id,
                    amount: Micros(2000),
                    ttl: .seconds(60)
                ).verdict == .overBudget
            )
            _ = try await fixture.store.settle([BillingFixture.charge("b1", key: budgeted.id, micros: 2500)])
            #expect(try await fixture.store.standing(keyID: budgeted.id)?.budgetLeft == Micros(500))
            #expect(
                try await fixture.store.reserve(
                    requestID: "b3",
                    keyID: budgeted.id,
                    amount: Micros(501),
                    ttl: .seconds(60)
                ).verdict == .overBudget
            )

            let (_, limited, _) = try await fixture.customer(
                balance: Micros(1_000_000),
                limits: KeyLimits(requestsPerMinute: 3)
            )
            var verdicts: [ReservationVerdict] = []
            for index in 0..<5 {
                verdicts.append(
                    try await fixture.store.reserve(
                        requestID: "r\(index)",
                        keyID: limited.id,
                        amount: Micros(1),
                        ttl: .seconds(60)
                    ).verdict
                )
            }
            // Unless the minute turned between calls, the first three pass.
            #expect(verdicts.filter { $0 == .rateLimited }.count >= 1)
            #expect(verdicts.prefix(3).allSatisfy { $0 == .reserved })

            #expect(try await fixture.store.revokeKey(id: limited.id))
            #expect(
                try await fixture.store.reserve(
                    requestID: "r9",
                    keyID: limited.id,
                    amount: Micros(1),
                    ttl: .seconds(60)
                ).verdict == .revoked
            )
            #expect(try await fixture.store.standing(keyID: limited.id)?.allowed == false)
            #expect(try await fixture.store.activeKeys().contains { $0.id == limited.id } == false)
            #expect(
                try await fixture.store.reserve(
                    requestID: "r10",
                    keyID: "key_nobody",
                    amount: Micros(1),
                    ttl: .seconds(60)
                ).verdict == .unknownKey
            )
        }
    }

    @Test func aTopUpIsCreditedOncePerIdempotencyKey() async throws {
        try await BillingFixture.with { fixture in
            let (user, _, _) = try await fixture.customer(balance: .zero)
            let results = try await withThrowingTaskGroup(of: TopUpResult.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await fixture.store.topUp(
                            userID: user.id,
                            amount: Micros(5_000_000),
                            idempotencyKey: "invoice-7",
                            note: "Dec",
                            by: "ops"
                        )
                    }
                }
                return try await group.reduce(into: [TopUpResult]()) { $0.append($1) }
            }
            #expect(results.filter { !$0.repeated }.count == 1)
            #expect(Set(results.map(\.ledgerID)).count == 1)
            #expect(try await fixture.store.user(id: user.id)?.balance == Micros(5_000_000))
        }
    }

    @Test func usageOfAKeyBillingDoesNotKnowIsKeptUnbilled() async throws {
        try await BillingFixture.with { fixture in
            let summary = try await fixture.store.settle([
                BillingFixture.charge("req_x", key: "team-from-a-file", micros: 900)
            ])
            #expect(summary == SettlementSummary(settled: 0, duplicates: 0, unattributed: 1, shortfall: .zero))
            #expect(
                try await fixture.scalar("SELECT key_id || ' ' || shortfall FROM ledger WHERE request_id = 'req_x'")
                    == "team-from-a-file 900"
            )
        }
    }
}
