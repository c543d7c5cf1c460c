import Foundation

/// Who holds the cluster lock: written to `holder.json` on the lock node when the lock is taken.
public struct LockHolder: Codable, Sendable, Hashable {
    /// A random token naming this acquisition: only its holder releases the lock without forcing.
    public var id: String
    /// The local user who ran lurusctl.
    public var user: String
    /// The control machine's host name.
    public var host: String
    /// The lurusctl process on that host.
    public var pid: Int
    /// The verb that took the lock (`up`).
    public var command: String
    /// When, in ISO 8601 UTC (`2025-06-01T09:30:00Z`).
    public var started: String
    /// The inventory path as that run named it.
    public var inventory: String

    public init(
        id: String,
        user: String,
        host: String,
        pid: Int,
        command: String,
        started: String,
        inventory: String
    ) {
        self.id = id
        self.user = user
        self.host = host
        self.pid = pid
        self.command = command
        self.started = started
        self.inventory = inventory
    }

    /// A holder for this process, with a fresh id.
    public static func current(command: String, inventory: String, now: Date = Date()) -> LockHolder {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        return LockHolder(
            id: id,
            user: LocalMachine.user,
            host: LocalMachine.hostname,
            pid: Int(getpid()),
            command: command,
            started: LocalMachine.timestamp(now),
            inventory: inventory
        )
    }

    /// Stands for a lock whose `holder.json` is missing or unreadable (taken this instant, or damaged).
    public static let unknown = LockHolder(
        id: "",
        user: "unknown",
        host: "unknown",
        pid: 0,
        command: "unknown",
        started: "",
        inventory: ""
    )

    /// The start as a date, when `started` parses.
    public var startDate: Date? { try? Date(self.started, strategy: .iso8601) }

    /// True when the holder certainly died: it was taken on this machine by a process that no longer exists.
    /// (A holder on another machine cannot be checked from here.)
    public var isLikelyDead: Bool {
        self.host == LocalMachine.hostname && LocalMachine.processIsGone(self.pid)
    }

    /// `alice@laptop (pid 4242) running lurusctl up since 2025-06-01T09:30:00Z (3m 12s ago)`.
    public func summary(now: Date = Date()) -> String {
        guard self != .unknown else { return "an unknown holder (no readable holder.json)" }
        let ago = self.startDate.map { " (\(LocalMachine.age(now.timeIntervalSince($0))) ago)" } ?? ""
        return
            "\(self.user)@\(self.host) (pid \(self.pid)) running lurusctl \(self.command) since \(self.started)\(ago)"
    }

    /// The note for a holder that died, or nil.
    public var deadNote: String? {
        guard self.isLikelyDead else { return nil }
        return "the process that took it (pid \(self.pid) on \(self.host)) is no longer running; "
            + "`lurusctl lock release` frees it"
    }

    /// The holder as one line of JSON, keys sorted, as `holder.json` holds it.
    func encodedLine() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
    }

    /// The holder in `bytes` (what a lock script printed), or nil when there is none or it is damaged.
    static func decode(_ bytes: [UInt8]) -> LockHolder? {
        guard bytes.contains(where: { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: " ") }) else { return nil }
        return try? JSONDecoder().decode(LockHolder.self, from: Data(bytes))
    }
}
