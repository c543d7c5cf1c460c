import Foundation
import LLMWire
import LurusEvents
import LurusServiceKit

/// What is known about one request as it goes, turned into its usage record at the end.
struct RequestLedger: Sendable {
    let requestID: String
    let client: ClientIdentity
    var keyID: String { self.client.keyID }
    let platform: APIProtocol
    let started: ContinuousClock.Instant
    let startedAt: Date
    var model: String
    var stream: Bool
    var candidate: Candidate?
    var attempts = 0
    var firstContent: ContinuousClock.Instant?
    var usage = TokenUsage.zero
    /// What the request holds of its key's money, given back when it is accounted.
    var hold = CreditHold.none

    init(requestID: String, client: ClientIdentity, platform: APIProtocol, model: String, stream: Bool) {
        self.requestID = requestID
        self.client = client
        self.platform = platform
        self.started = .now
        self.startedAt = Date()
        self.model = model
        self.stream = stream
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    func record(status: Int, outcome: Outcome, error: String? = nil) -> UsageRecord {
        let now = ContinuousClock.now
        return UsageRecord(
            requestId: self.requestID,
            keyId: self.client.keyID,
            platform: self.platform.rawValue,
            provider: self.candidate?.provider.name,
            model: self.candidate?.model ?? self.model,
            upstreamModel: self.candidate?.upstreamModel,
            status: status,
            outcome: outcome,
            error: error,
            stream: self.stream,
            attempts: self.attempts,
            latencyMs: (now - self.started).milliseconds,
            ttftMs: self.firstContent.map { ($0 - self.started).milliseconds },
            inputTokens: self.usage.inputTokens,
            outputTokens: self.usage.outputTokens,
            cacheReadTokens: self.usage.cacheReadTokens,
            cacheWriteTokens: self.usage.cacheWriteTokens,
            costUsd: self.candidate?.price.cost(of: self.usage) ?? 0,
            startedAt: self.startedAt.formatted(Self.timestampStyle),
            leaseId: self.hold.leaseID,
            userId: self.client.userID
        )
    }
}
