/// The rows waiting for the next insert, and what to acknowledge once it is in. Pure.
///
/// A batch is due when it holds `maximumRows` rows or its first row has waited `maximumWait`, as ClickHouse
/// advises (thousands of rows per insert, or about one insert per second when traffic is low); under load,
/// once it holds `busyRows` (2,000) rows it goes at half the wait, so that a busy stream's rows wait half
/// as long while each insert is still thousands of rows. A request id seen twice in one batch (a
/// redelivery next to its replay) is kept once.
public struct IngestBatch<Ticket: Sendable>: Sendable {
    public private(set) var rows: [LogRow] = []
    /// Everything fetched for this batch, duplicates included: all are acknowledged after the insert.
    public private(set) var tickets: [Ticket] = []
    public private(set) var duplicatesWithin = 0
    private var ids: Set<String> = []
    private var firstAt: ContinuousClock.Instant?

    public init() {}

    public var isEmpty: Bool { self.tickets.isEmpty }

    /// How long its first row has waited.
    public func age(at now: ContinuousClock.Instant) -> Duration {
        self.firstAt.map { now - $0 } ?? .zero
    }

    public mutating func add(_ row: LogRow?, ticket: Ticket, at now: ContinuousClock.Instant) {
        if self.firstAt == nil { self.firstAt = now }
        self.tickets.append(ticket)
        guard let row else { return }
        if self.ids.insert(row.record.requestId).inserted {
            self.rows.append(row)
        } else {
            self.duplicatesWithin += 1
        }
    }

    /// Rows from which a batch is busy and goes at half the wait.
    public static var busyRows: Int { 2000 }

    /// Whether to insert now.
    public func isDue(at now: ContinuousClock.Instant, maximumRows: Int, maximumWait: Duration) -> Bool {
        guard let firstAt else { return false }
        return self.tickets.count >= maximumRows || now - firstAt >= self.wait(maximumWait)
    }

    /// How long a fetch may wait for more before the batch is due (the whole wait when empty).
    public func remainingWait(at now: ContinuousClock.Instant, maximumWait: Duration) -> Duration {
        guard let firstAt else { return maximumWait }
        return max(.zero, self.wait(maximumWait) - (now - firstAt))
    }

    private func wait(_ maximumWait: Duration) -> Duration {
        self.rows.count >= Self.busyRows ? maximumWait / 2 : maximumWait
    }
}
