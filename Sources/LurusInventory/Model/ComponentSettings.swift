/// One setting a component accepts under `components.NAME:`, with its default. The schema is data:
/// the reader checks against it, `doc/inventory.md` documents it, and a test keeps the two in step.
public struct SettingSpec: Sendable {
    public enum Kind: Sendable {
        case port
        case count(ClosedRange<Int>)
        case duration
        case size
        case path
        case word([String])
        case name
        /// A sha256 digest: 64 hexadecimal characters (kept lowercase).
        case sha256
        /// A decimal number in a range (`0.05`, `20`): thresholds.
        case number(ClosedRange<Double>)
    }

    public var key: String
    public var kind: Kind
    public var defaultValue: SettingValue
    public var summary: String
}

/// A setting's value after reading.
public enum SettingValue: Sendable, Hashable, CustomStringConvertible {
    case integer(Int)
    case text(String)
    case duration(InventoryDuration)
    case size(InventorySize)
    case number(Double)

    public var description: String {
        switch self {
        case .integer(let number): String(number)
        case .text(let text): text
        case .duration(let duration): duration.text
        case .size(let size): size.text
        case .number(let number): Self.text(number)
        }
    }

    /// A number as the inventory writes it: `20`, not `20.0`; `0.05`.
    static func text(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

/// A byte size written as a number and a unit: `512mb`, `10GiB`. All units are binary (1 kb = 1024 bytes).
public struct InventorySize: Sendable, Hashable, CustomStringConvertible {
    public var bytes: Int64
    public var text: String

    public var description: String { self.text }

    public static func parse(_ text: String) -> InventorySize? {
        let digits = text.prefix { $0.isASCIIDigit }
        let unit = text.dropFirst(digits.count).lowercased()
        let factors: [String: Int64] = [
            "b": 1, "kb": 1 << 10, "kib": 1 << 10, "mb": 1 << 20, "mib": 1 << 20, "gb": 1 << 30, "gib": 1 << 30,
            "tb": 1 << 40, "tib": 1 << 40,
        ]
        guard !digits.isEmpty, let value = Int64(digits), let factor = factors[unit] else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : InventorySize(bytes: bytes, text: text)
    }
}

/// The settings of one component: what the inventory wrote, over the schema's defaults.
public struct ComponentSettings: Sendable, Hashable {
    public var component: Component
    public var values: [String: SettingValue]

    public init(component: Component, values: [String: SettingValue] = [:]) {
        self.component = component
        self.values = values
    }

    /// The value of `key`, written or default.
    public subscript(key: String) -> SettingValue? {
        self.values[key] ?? self.component.settingSpecs.first { $0.key == key }?.defaultValue
    }

    /// The port under `key` (written or default).
    public func port(_ key: String) -> Int? {
        if case .integer(let port) = self[key] { return port }
        return nil
    }

    /// Every port this component listens on, by key, in schema order.
    public var ports: [(key: String, port: Int)] {
        self.component.defaultPorts.compactMap { entry in self.port(entry.key).map { (entry.key, $0) } }
    }
}

extension Component {
    /// The settings `components.NAME:` accepts for this component, ports first.
    public var settingSpecs: [SettingSpec] {
        let ports = self.defaultPorts.map { entry in
            SettingSpec(
                key: entry.key,
                kind: .port,
                defaultValue: .integer(entry.port),
                summary: "TCP port (listens on the node's mesh address and localhost only)"
            )
        }
        return ports + self.otherSettingSpecs
    }

    /// Where the Prometheus project's programs come from: Debian's packages, or the project's release
    /// archive of `versions.NAME` from GitHub, accepted only with its sha256.
    private var releaseSpecs: [SettingSpec] {
        [
            SettingSpec(
                key: "source",
                kind: .word(["official", "debian"]),
                defaultValue: .text("official"),
                summary: "the project's release archive (pinned by versions and sha256), or Debian's package"
            ),
            SettingSpec(
                key: "sha256",
                kind: .sha256,
                defaultValue: .text(""),
                summary: "sha256 of the linux-amd64 release archive (the release's sha256sums.txt); source: official"
            ),
        ]
    }

    private var otherSettingSpecs: [SettingSpec] {
        switch self {
        case .postgres:
            [
                SettingSpec(
                    key: "source",
                    kind: .word(["debian", "pgdg"]),
                    defaultValue: .text("debian"),
                    summary: "packages from Debian, or from the PostgreSQL project's apt repository (pgdg)"
                )
            ]
        case .clickhouse:
            [
                SettingSpec(
                    key: "source",
                    kind: .word(["official", "debian"]),
                    defaultValue: .text("official"),
                    summary: "ClickHouse's own apt repository (pinned by versions.clickhouse), or Debian's 18.16"
                ),
                SettingSpec(
                    key: "retention_days",
                    // The log service accepts 1 to 3650 (`LogsConfiguration`).
                    kind: .count(1...3650),
                    defaultValue: .integer(90),
                    summary:
                        "days the log service keeps request logs (its RETENTION_DAYS; TTL needs ClickHouse 19.6 or later)"
                ),
            ]
        case .k3sServer:
            [
                SettingSpec(
                    key: "install",
                    kind: .word(["script", "airgap"]),
                    defaultValue: .text("script"),
                    summary: "get.k3s.io's script downloads K3s on each node, or airgap pushes it from airgap_dir"
                ),
                SettingSpec(
                    key: "airgap_dir",
                    kind: .path,
                    defaultValue: .text(""),
                    summary: "a folder on the control machine holding k3s and install.sh (install: airgap)"
                ),
            ]
        case .minio:
            [
                SettingSpec(
                    key: "data_dir",
                    kind: .path,
                    defaultValue: .text("/var/lib/minio"),
                    summary: "where MinIO keeps objects (put it on the large disk)"
                ),
                SettingSpec(
                    key: "bucket",
                    kind: .name,
                    defaultValue: .text("lurus-backups"),
                    summary: "the bucket backups go to, created if missing"
                ),
                SettingSpec(
                    key: "sha256",
                    kind: .sha256,
                    defaultValue: .text(""),
                    summary: "sha256 of the linux release binary of versions.minio (its .sha256sum file)"
                ),
            ]
        case .redis:
            [
                SettingSpec(
                    key: "maxmemory",
                    kind: .size,
                    defaultValue: .size(InventorySize(bytes: 256 << 20, text: "256mb")),
                    summary: "memory limit"
                ),
                SettingSpec(
                    key: "maxmemory_policy",
                    kind: .word([
                        "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu",
                        "volatile-random", "volatile-ttl",
                    ]),
                    defaultValue: .text("allkeys-lru"),
                    summary: "what Redis evicts at the limit"
                ),
            ]
        case .nats:
            [
                SettingSpec(
                    key: "jetstream_dir",
                    kind: .path,
                    defaultValue: .text("/var/lib/nats"),
                    summary: "where JetStream stores streams (in a jetstream/ folder it makes inside)"
                ),
                SettingSpec(
                    key: "jetstream_max_memory",
                    kind: .size,
                    defaultValue: .size(InventorySize(bytes: 256 << 20, text: "256mb")),
                    summary: "memory JetStream may use"
                ),
                SettingSpec(
                    key: "jetstream_max_file",
                    kind: .size,
                    defaultValue: .size(InventorySize(bytes: 10 << 30, text: "10gb")),
                    summary: "disk JetStream may use"
                ),
            ]
        case .prometheus:
            self.releaseSpecs + [
                SettingSpec(
                    key: "retention",
                    kind: .duration,
                    defaultValue: .duration(InventoryDuration(milliseconds: 15 * 86_400_000, text: "15d")),
                    summary: "how long samples are kept"
                ),
                SettingSpec(
                    key: "retention_size",
                    kind: .size,
                    // Monitor has a small disk beside Grafana: a cap, whichever of the two comes first.
                    defaultValue: .size(InventorySize(bytes: 8 << 30, text: "8gb")),
                    summary: "the most disk samples may take; the oldest go first past it"
                ),
                SettingSpec(
                    key: "scrape_interval",
                    kind: .duration,
                    defaultValue: .duration(InventoryDuration(milliseconds: 15_000, text: "15s")),
                    summary: "how often every target is scraped (and the rules evaluated)"
                ),
                SettingSpec(
                    key: "memory_max",
                    kind: .size,
                    defaultValue: .size(InventorySize(bytes: 1 << 30, text: "1gb")),
                    summary: "the memory systemd lets Prometheus use (Monitor has 2 GB); Go's GC aims below it"
                ),
            ] + AlertThresholds.specs
        case .alertmanager, .nodeExporter:
            self.releaseSpecs
        case .jaeger:
            [
                SettingSpec(
                    key: "sha256",
                    kind: .sha256,
                    defaultValue: .text(""),
                    summary:
                        "sha256 of the jaeger-VERSION-linux-amd64.tar.gz release archive (required: no Debian package)"
                ),
                SettingSpec(
                    key: "retention",
                    kind: .duration,
                    defaultValue: .duration(InventoryDuration(milliseconds: 3 * 86_400_000, text: "3d")),
                    summary: "how long spans are kept (Badger's TTL)"
                ),
                SettingSpec(
                    key: "memory_max",
                    kind: .size,
                    defaultValue: .size(InventorySize(bytes: 512 << 20, text: "512mb")),
                    summary: "the memory systemd lets Jaeger use; Go's GC aims below it"
                ),
            ]
        case .gateway:
            [
                SettingSpec(
                    key: "replicas",
                    kind: .count(1...64),
                    defaultValue: .integer(2),
                    summary: "instances (K3s runtime); the systemd runtime runs one per node it is placed on"
                ),
                SettingSpec(
                    key: "skip_balance_check",
                    kind: .word(["false", "true"]),
                    defaultValue: .text("false"),
                    summary: "serve without asking the billing service for the client's balance (a lab without one)"
                ),
            ]
        case .provider, .billing, .log:
            [
                SettingSpec(
                    key: "replicas",
                    kind: .count(1...64),
                    defaultValue: .integer(1),
                    summary: "instances (K3s runtime); the systemd runtime runs one per node it is placed on"
                )
            ]
        default:
            []
        }
    }
}
