import Foundation

/// One deployment lurusctl rolled out on K3s: who, when, from what, the image, and the service's manifests
/// as applied (Secrets as slots, never a value), so a rollback re-applies exactly that configuration.
public struct LedgerEntry: Codable, Sendable, Hashable {
    public var record: DeploymentRecord
    /// `lurus.local/SERVICE@sha256:…`.
    public var image: String
    /// The hash-named objects the manifests name, `ConfigMap/NAME` and `Secret/NAME`: kept while the entry
    /// is kept, deleted with it when no kept entry names them.
    public var objects: [String]
    /// The service's documents, in apply order, with `@lurus-secret:NAME@` slots in its Secret.
    public var manifests: [ManifestDocument]

    public init(record: DeploymentRecord, image: String, objects: [String], manifests: [ManifestDocument]) {
        self.record = record
        self.image = image
        self.objects = objects
        self.manifests = manifests
    }

    public var deployment: String { self.record.deployment }

    /// What re-applying this entry sends: its documents without its Secret, which is named by the hash of
    /// its values and so is still in the cluster as it was (retention deletes it only with the entry). No
    /// slot is left, so no secret value is needed to roll back.
    public var reapplied: [ManifestDocument] { self.manifests.filter { $0.kind != "Secret" } }
    public var service: String { self.record.service }

    /// The ConfigMap that holds it: `lurus-ledger-DEPLOYMENT`, labelled with its service.
    public var configMapName: String { "lurus-ledger-\(self.record.service)-\(self.record.deployment)" }

    /// The ConfigMap as JSON for `kubectl apply -f -`.
    public func configMap(namespace: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let entry = String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
        let object: [String: Any] = [
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": [
                "name": self.configMapName,
                "namespace": namespace,
                "labels": [
                    RolloutLedger.label: self.record.service,
                    "app.kubernetes.io/managed-by": "lurusctl",
                    "app.kubernetes.io/part-of": "lurus",
                ],
            ],
            "data": ["entry.json": entry],
        ]
        return Array(
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
                ?? Data()
        )
    }
}

/// Every ledger entry the cluster holds, read from `kubectl get configmaps -l lurus.dev/ledger -o json`.
public struct RolloutLedger: Sendable, Hashable {
    public static let label = "lurus.dev/ledger"

    public var entries: [LedgerEntry]

    public init(entries: [LedgerEntry] = []) {
        self.entries = entries
    }

    public func entries(of service: String) -> [LedgerEntry] {
        self.entries.filter { $0.service == service }.sorted {
            ($0.record.deployedAt, $0.deployment) > ($1.record.deployedAt, $1.deployment)
        }
    }

    public func entry(service: String, deployment: String) -> LedgerEntry? {
        self.entries.first { $0.service == service && $0.deployment == deployment }
    }

    /// Reads the ConfigMap list; an entry that cannot be read is left out (it was not written by lurusctl).
    static func parse(_ json: [UInt8]) throws(RolloutObservationError) -> RolloutLedger {
        struct Listing: Decodable {
            struct Item: Decodable {
                var data: [String: String]?
            }
            var items: [Item]
        }
        let listing: Listing
        do {
            listing = try JSONDecoder().decode(Listing.self, from: Data(json))
        } catch {
            throw RolloutObservationError("kubectl's ConfigMap list is not what was expected: \(error)")
        }
        return RolloutLedger(
            entries: listing.items.compactMap { item in
                item.data?["entry.json"].flatMap { try? JSONDecoder().decode(LedgerEntry.self, from: Data($0.utf8)) }
            }
        )
    }
}
