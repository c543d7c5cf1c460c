import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusRelease

/// Fixed inputs for rendering manifests: the shipped inventories, one image digest per service, and a
/// value per secret (`test-secret-NAME`, the digested ones too), so content hashes are the same on every run.
enum ManifestFixtures {
    static let digest = "sha256:" + String(repeating: "0123456789abcdef", count: 4)

    static func inventory(_ name: String) throws -> Inventory {
        try InventoryLoader.load(path: Repository.path("inventory/\(name).yaml")).inventory
    }

    static func templates() async throws -> TemplateLibrary {
        try await TemplateLibrary(directory: Repository.path("templates"))
    }

    static func secrets(for services: [ResolvedService], prefix: String = "test-secret-") -> [String: Secret] {
        var secrets: [String: Secret] = [:]
        for name in services.flatMap({ $0.secretFiles.map(\.secret) + $0.digestedSecrets }) {
            secrets[name] = Secret(name: name, bytes: Array("\(prefix)\(name)".utf8))
        }
        return secrets
    }

    static func images(for services: [ResolvedService]) throws -> [PodImage] {
        try services.map { try PodImage($0.component, digest: Self.digest) }
    }

    /// The bundle for `services` in `inventory` with the fixed inputs.
    static func render(
        _ services: [ResolvedService],
        in inventory: Inventory,
        secrets: [String: Secret]? = nil
    ) async throws -> ManifestBundle {
        try KubernetesManifests(templates: try await Self.templates()).render(
            services,
            inventory: inventory,
            images: try Self.images(for: services),
            secrets: secrets ?? Self.secrets(for: services)
        )
    }

    /// The document of `kind` named `name`.
    static func document(_ kind: String, _ name: String, in bundle: ManifestBundle) throws -> String {
        try #require(bundle.documents.first { $0.kind == kind && $0.name.hasPrefix(name) }).text
    }
}
