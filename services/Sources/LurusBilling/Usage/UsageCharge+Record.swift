import LurusEvents

extension UsageCharge {
    /// What billing charges for a usage record: its catalog-priced cost, rounded to the micro-dollar
    /// (never negative). The gateway priced it from the same catalog the client saw; billing does not
    /// price again.
    public init(_ record: UsageRecord) {
        self.init(
            requestID: record.requestId,
            keyID: record.keyId,
            leaseID: record.leaseId ?? "",
            cost: max(Micros(usd: record.costUsd) ?? .zero, .zero),
            model: record.model,
            provider: record.provider ?? "",
            outcome: record.outcome.rawValue,
            inputTokens: Int64(record.inputTokens),
            outputTokens: Int64(record.outputTokens),
            cacheReadTokens: Int64(record.cacheReadTokens),
            cacheWriteTokens: Int64(record.cacheWriteTokens),
            occurredAt: record.startedAt
        )
    }

    /// The batch by key: the order of the ledger rows, the same in every batch. (The settlement takes its
    /// other locks sorted itself.)
    static func lockOrder(_ charges: [UsageCharge]) -> [UsageCharge] {
        charges.sorted { ($0.keyID, $0.requestID) < ($1.keyID, $1.requestID) }
    }
}
