import Foundation
import LurusTestSupport
import Testing

@testable import LurusRelease

/// Every rendered manifest against the API schemas of the pinned K3s (v1.31.4+k3s1), offline, with
/// kubernetes-validate in strict mode (unknown fields refused). `scripts/setup` installs it into
/// `/var/cache/lurusctl/venv`; `KUBERNETES_VALIDATE` names another copy.
@Suite struct ManifestSchemaTests {
    static let kubernetesVersion = "1.31.4"

    static var tool: String {
        ProcessInfo.processInfo.environment["KUBERNETES_VALIDATE"] ?? "/var/cache/lurusctl/venv/bin/kubernetes-validate"
    }

    /// Runs kubernetes-validate on `text`; fails the test (never skips) when the tool is missing.
    static func validate(_ text: String) async throws -> ProcessRunner.Result {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.tool),
            "kubernetes-validate is not at \(Self.tool): run scripts/setup (it installs it into /var/cache/lurusctl/venv) or set KUBERNETES_VALIDATE"
        )
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-manifests-\(UUID()).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await ProcessRunner.run(
            Self.tool,
            ["--kubernetes-version", Self.kubernetesVersion, "--strict", file.path],
            timeout: 120
        )
    }

    static func passed(_ result: ProcessRunner.Result) -> Int {
        result.stdout.split(separator: "\n").filter { $0.contains(" passed for resource ") }.count
    }

    @Test func theProductionManifestsValidateAgainstK3sSchemas() async throws {
        let golden = try String(
            contentsOfFile: Repository.path("Tests/LurusReleaseTests/Golden/kubernetes/lurus.yaml"),
            encoding: .utf8
        )
        let result = try await Self.validate(golden)
        #expect(result.status == 0, "\(result)")
        let documents = golden.components(separatedBy: "\n---\n").count
        #expect(Self.passed(result) == documents, "every one of the \(documents) documents passed: \(result)")
        #expect(result.stdout.contains("against version 1.31"), "\(result)")
    }

    @Test func manifestsWithoutTheGatewayValidateToo() async throws {
        // No ingress, no autoscaler, no one reaching provider and billing, no service token.
        var inventory = try ManifestFixtures.inventory("lurus")
        for index in inventory.nodes.indices { inventory.nodes[index].components.removeAll { $0 == .gateway } }
        let services = try ServiceCatalog.resolve(in: inventory)
        #expect(services.map(\.name) == ["provider", "billing", "log"])
        let bundle = try await ManifestFixtures.render(services, in: inventory)
        #expect(!bundle.documents.contains { $0.kind == "Ingress" || $0.kind == "HorizontalPodAutoscaler" })
        let result = try await Self.validate(bundle.text)
        #expect(result.status == 0, "\(result)")
        #expect(Self.passed(result) == bundle.documents.count, "\(result)")
    }

    @Test func theLedgerConfigMapOfARealRolloutValidatesToo() async throws {
        let inventory = try ManifestFixtures.inventory("lurus")
        let services = try ServiceCatalog.resolve(in: inventory)
        let bundle = try await ManifestFixtures.render(services, in: inventory)
        let entry = LedgerEntry(
            record: DeploymentRecord(
                deployment: "7b2e4d6f8a0c-1a2b3c4d",
                release: "7b2e4d6f8a0c",
                service: "gateway",
                deployedAt: 1_764_669_600,
                deployedBy: "ops@control",
                commit: "abc1234",
                configuration: "release"
            ),
            image: RolloutVerdictTests.image,
            objects: ["ConfigMap/gateway-env-0123456789"],
            manifests: bundle.documents
        )
        let json = String(decoding: entry.configMap(namespace: "lurus"), as: UTF8.self)
        let result = try await Self.validate(json)
        #expect(result.status == 0, "\(result)")
        #expect(Self.passed(result) == 1, "\(result)")
    }

    @Test func aBrokenManifestIsRejected() async throws {
        let golden = try String(
            contentsOfFile: Repository.path("Tests/LurusReleaseTests/Golden/kubernetes/lurus.yaml"),
            encoding: .utf8
        )
        let broken = golden.replacingOccurrences(
            of: "      maxUnavailable: 0\n",
            with: "      maxUnavailable: 0\n      maxSurprise: 1\n"
        )
        #expect(broken != golden)
        let result = try await Self.validate(broken)
        #expect(result.status != 0, "\(result)")
        #expect(result.stdout.contains("deployment/gateway") && result.stdout.contains("maxSurprise"), "\(result)")

        let wrongType = golden.replacingOccurrences(of: "  minReplicas: 2\n", with: "  minReplicas: two\n")
        #expect(wrongType != golden)
        let second = try await Self.validate(wrongType)
        #expect(second.status != 0, "\(second)")
    }
}
