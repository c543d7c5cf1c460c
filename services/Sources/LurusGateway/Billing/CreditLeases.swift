import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A request's hold on its key's money: taken from a lease, held on its own by billing, or none.
enum CreditHold: Sendable, Equatable {
    case lease(id: String, micros: Int64)
    case own
    case none

    var leaseID: String? {
        if case .lease(let id, _) = self { id } else { nil }
    }
}

/// Holds each request's most it can cost before it is forwarded, mostly without a call to billing: the
/// estimate is taken from a lease billing granted this gateway for the key (``LeaseBook``), and billing
/// is asked only when a key has no lease that covers it. Concurrent requests of one key share one such
/// call. Keys billing holds per request (a request rate limit), free requests and a policy window of zero
/// use ``Reservations/reserve``.
///
/// As a service it gives back leases that went quiet, and all of them at shutdown.
final class CreditLeases: Service, Sendable {
    private struct State: Sendable {
        var book: LeaseBook
        /// One lease call in flight per key, shared by the requests that wait for it.
        var fetches: [String: Task<(LeaseAnswer, String, minimum: Int64), Never>] = [:]
    }

    private let billing: Reservations
    private let state: Mutex<State>
    private let releases: AsyncStream<LeaseBook.Release>
    private let releaseSink: AsyncStream<LeaseBook.Release>.Continuation
    private let logger: Logger
    /// How long billing keeps a lease nobody gives back; retired leases are forgotten after it.
    private let billingTTL: Duration

    init(billing: Reservations, policy: LeasePolicy, logger: Logger, billingTTL: Duration = .seconds(900)) {
        self.billing = billing
        self.state = Mutex(State(book: LeaseBook(policy: policy)))
        (self.releases, self.releaseSink) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.logger = logger
        self.billingTTL = billingTTL
    }

    private var leasing: Bool { self.state.withLock { $0.book.policy.window } > .zero }

    /// Holds `micros` for `requestID` of `keyID`.
    func hold(requestID: String, keyID: String, micros: Int64) async -> (ReservationAnswer, CreditHold) {
        // A free request (no prices) holds nothing, and is allowed at a zero balance: billing says so.
        guard self.leasing, micros > 0 else {
            return (await self.billing.reserve(requestID: requestID, keyID: keyID, micros: micros), .own)
        }
        // A lease that arrives and is taken by others first is followed by one more call, not a loop.
        for _ in 0..<3 {
            let (take, fetch) = self.state.withLock {
                state -> (LeaseBook.Take, Task<(LeaseAnswer, String, minimum: Int64), Never>?) in
                let (take, released) = state.book.take(keyID: keyID, micros: micros, now: .now)
                for release in released { self.releaseSink.yield(release) }
                guard case .needLease(let want, let minimum) = take else { return (take, nil) }
                if let running = state.fetches[keyID] { return (take, running) }
                let leaseID = "lease_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                let task = Task {
                    (
                        await self.billing.lease(leaseID: leaseID, keyID: keyID, want: want, minimum: minimum), leaseID,
                        minimum: minimum
                    )
                }
                state.fetches[keyID] = task
                return (take, task)
            }
            switch take {
            case .took(let leaseID):
                return (.allowed, .lease(id: leaseID, micros: max(micros, 1)))
            case .perRequest:
                return (await self.billing.reserve(requestID: requestID, keyID: keyID, micros: micros), .own)
            case .needLease:
                break
            }
            guard let fetch else { continue }
            let (answer, leaseID, minimum) = await fetch.value
            self.state.withLock { state in
                guard state.fetches[keyID] == fetch else { return }
                state.fetches[keyID] = nil
                switch answer {
                case .granted(let granted):
                    let released = state.book.install(keyID: keyID, leaseID: leaseID, granted: granted, now: .now)
                    for release in released { self.releaseSink.yield(release) }
                case .perRequest:
                    state.book.holdPerRequest(keyID: keyID, for: .seconds(30), now: .now)
                case .refused, .unavailable:
                    break
                }
            }
            switch answer {
            case .granted, .perRequest:
                continue
            case .unavailable(let reason):
                return (.unavailable(reason), .none)
            case .refused(let verdict, let refusal):
                // Not enough for the request that asked: not enough for a larger one either. A smaller
                // one may still fit; it asks for itself.
                let aboutMoney = verdict == "insufficient_balance" || verdict == "over_budget"
                if !aboutMoney || max(micros, 1) >= minimum { return (refusal, .none) }
            }
        }
        // Others keep taking what each new lease holds: hold this one on its own.
        return (await self.billing.reserve(requestID: requestID, keyID: keyID, micros: micros), .own)
    }

    /// The request holding `hold` for `keyID` ended, costing `costMicros`.
    func finish(_ hold: CreditHold, keyID: String, costMicros: Int64) {
        guard case .lease(let leaseID, let micros) = hold else { return }
        let release = self.state.withLock {
            $0.book.finish(keyID: keyID, leaseID: leaseID, micros: micros, cost: costMicros)
        }
        if let release { self.releaseSink.yield(release) }
    }

    /// Gives back released leases as they come, retires quiet ones each window, and at shutdown gives
    /// back every lease.
    func run() async throws {
        let window = self.state.withLock { $0.book.policy.window }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await release in self.releases { await self.giveBack(release) }
            }
            if window > .zero {
                group.addTask {
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        do {
                            try await cancelWhenGracefulShutdown { try await Task.sleep(for: window) }
                        } catch {
                            break
                        }
                        let released = self.state.withLock {
                            $0.book.retireAged(now: .now, forgetAfter: self.billingTTL)
                        }
                        for release in released { self.releaseSink.yield(release) }
                    }
                    for release in self.state.withLock({ $0.book.retireAll() }) { self.releaseSink.yield(release) }
                    self.releaseSink.finish()
                }
            } else {
                group.addTask {
                    try? await gracefulShutdown()
                    self.releaseSink.finish()
                }
            }
        }
    }

    private func giveBack(_ release: LeaseBook.Release) async {
        if let failure = await self.billing.release(leaseID: release.leaseID, unused: release.unused) {
            self.logger.warning(
                "could not give a lease back; billing frees it when it expires",
                metadata: [
                    "lease_id": "\(release.leaseID)", "unused_micros": "\(release.unused)", "error": "\(failure)",
                ]
            )
        }
    }
}
