import Foundation
import LurusEngine
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusRelease

/// The K3s manifests of the production inventory as a golden file (`Golden/kubernetes/lurus.yaml`;
/// regenerate with `LURUS_UPDATE_GOLDEN=1 swift test --filter KubernetesManifestsTests`), and the rules
/// behind them: no secret value in the text, names that follow content, replicas left to the HPA,
/// placement, and network policies.
@Suite struct KubernetesManifestsTests {
    static func production() async throws -> (inventory: Inventory, services: [ResolvedService], bundle: ManifestBundle)
    {
        let inventory = try ManifestFixtures.inventory("lurus")
        let services = try ServiceCatalog.resolve(in: inventory)
        return (inventory, services, try await ManifestFixtures.render(services, in: inventory))
    }

    static func checkGolden(_ actual: String, _ name: String) throws {
        let path = Repository.path("Tests/LurusReleaseTests/Golden/kubernetes/\(name)")
        if ProcessInfo.processInfo.environment["LURUS_UPDATE_GOLDEN"] == "1" {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(actual == (try String(contentsOfFile: path, encoding: .utf8)), "differs from Golden/kubernetes/\(name)")
    }

    @Test func productionManifestsMatchTheGoldenFile() async throws {
        let (_, _, bundle) = try await Self.production()
        try Self.checkGolden(bundle.text, "lurus.yaml")
        func internalObjects(_ service: String) throws -> [String] {
            [
                "ConfigMap/\(service)-env-\(try Self.hash(bundle, "ConfigMap", service))",
                "Secret/\(service)-secrets-\(try Self.hash(bundle, "Secret", service))", "Service/\(service)",
                "Deployment/\(service)", "PodDisruptionBudget/\(service)", "NetworkPolicy/\(service)",
            ]
        }
        let gateway: [String] = [
            "ConfigMap/gateway-env-\(try Self.hash(bundle, "ConfigMap", "gateway"))",
            "Secret/gateway-secrets-\(try Self.hash(bundle, "Secret", "gateway"))", "Service/gateway",
            "Deployment/gateway", "HorizontalPodAutoscaler/gateway", "PodDisruptionBudget/gateway",
            "NetworkPolicy/gateway", "Ingress/gateway",
        ]
        var expected = ["Namespace/lurus", "NetworkPolicy/default-deny"]
        expected += try internalObjects("provider")
        expected += try internalObjects("billing")
        expected += gateway
        expected += try internalObjects("log")
        #expect(bundle.documents.map { "\($0.kind)/\($0.name)" } == expected)
    }

    /// The content hash ending the name of `service`'s object of `kind` (the gateway's by default).
    static func hash(_ bundle: ManifestBundle, _ kind: String, _ service: String = "gateway") throws -> String {
        let name = try #require(bundle.documents.first { $0.kind == kind && $0.name.hasPrefix("\(service)-") }).name
        let hash = String(name.split(separator: "-").last ?? "")
        #expect(hash.count == 10 && hash.allSatisfy(\.isHexDigit), "\(name) ends in 10 hex digits")
        return hash
    }

    @Test func noSecretValueIsInTheTextOnlyInTheApplyInput() async throws {
        let (_, services, bundle) = try await Self.production()
        let secrets = ManifestFixtures.secrets(for: services)
        #expect(!bundle.text.contains("test-secret-"))
        for secret in secrets.values {
            #expect(!bundle.text.contains(Data(secret.bytes).base64EncodedString()))
        }
        #expect(
            bundle.secretNames == [
                "postgres/provider", "redis/default", "nats/lurus", "postgres/billing", "gateway/service-token",
                "clickhouse/lurus",
            ]
        )
        let input = String(decoding: try bundle.applyInput(secrets: secrets).bytes, as: UTF8.self)
        #expect(!input.contains("@lurus-secret:"))
        #expect(input.contains("  nats-password: \"\(Data("test-secret-nats/lurus".utf8).base64EncodedString())\"\n"))
        var slotted = input
        for name in bundle.secretNames {
            let value = Data("test-secret-\(name)".utf8).base64EncodedString()
            slotted = slotted.replacingOccurrences(of: "\"\(value)\"", with: ManifestBundle.slot(for: name))
        }
        #expect(slotted == bundle.text)
        #expect(throws: KubernetesManifestError.self) { try bundle.applyInput(secrets: [:]) }
    }

    @Test func configurationAndSecretNamesFollowTheirContent() async throws {
        let (inventory, services, bundle) = try await Self.production()
        let again = try await ManifestFixtures.render(services, in: inventory)
        #expect(again.text == bundle.text, "the same inputs give the same names")

        var moved = inventory
        moved.settings[.nats] = ComponentSettings(component: .nats, values: ["client_port": .integer(4333)])
        let movedBundle = try await ManifestFixtures.render(try ServiceCatalog.resolve(in: moved), in: moved)
        let configMap = try #require(
            movedBundle.documents.first { $0.kind == "ConfigMap" && $0.name.hasPrefix("gateway-") }
        ).name
        #expect(try Self.hash(movedBundle, "ConfigMap") != (try Self.hash(bundle, "ConfigMap")))
        #expect(try Self.hash(movedBundle, "Secret") == (try Self.hash(bundle, "Secret")))
        #expect(
            try ManifestFixtures.document("Deployment", "gateway", in: movedBundle).contains("name: \(configMap)\n")
        )

        let rotated = try await ManifestFixtures.render(
            services,
            in: inventory,
            secrets: ManifestFixtures.secrets(for: services, prefix: "rotated-")
        )
        let secret = try #require(rotated.documents.first { $0.kind == "Secret" && $0.name.hasPrefix("gateway-") }).name
        #expect(try Self.hash(rotated, "Secret") != (try Self.hash(bundle, "Secret")))
        #expect(try Self.hash(rotated, "ConfigMap") == (try Self.hash(bundle, "ConfigMap")))
        #expect(try ManifestFixtures.document("Deployment", "gateway", in: rotated).contains("secretName: \(secret)\n"))
    }

    @Test func theHPAOwnsTheGatewaysReplicasAndOthersGetTheInventorys() async throws {
        let (inventory, services, bundle) = try await Self.production()
        let gateway = try ManifestFixtures.document("Deployment", "gateway", in: bundle)
        #expect(!gateway.contains("  replicas:"))
        let autoscaler = try ManifestFixtures.document("HorizontalPodAutoscaler", "gateway", in: bundle)
        #expect(autoscaler.contains("  minReplicas: 2\n  maxReplicas: 8\n"))

        #expect(services.count == 4)
        for name in ["provider", "billing", "log"] {
            #expect(try ManifestFixtures.document("Deployment", name, in: bundle).contains("\n  replicas: 1\n"))
            #expect(!bundle.documents.contains { $0.kind == "HorizontalPodAutoscaler" && $0.name == name })
            #expect(!bundle.documents.contains { $0.kind == "Ingress" && $0.name == name })
        }
        var more = inventory
        more.settings[.billing] = ComponentSettings(component: .billing, values: ["replicas": .integer(3)])
        let scaled = try await ManifestFixtures.render(try ServiceCatalog.resolve(in: more), in: more)
        #expect(try ManifestFixtures.document("Deployment", "billing", in: scaled).contains("\n  replicas: 3\n"))
    }

    @Test func podsGoWhereTheInventoryPlacesThem() throws {
        let inventory = try ManifestFixtures.inventory("lurus")
        let cluster = inventory.nodes.filter { !$0.components.filter { $0 == .k3sServer || $0 == .k3sAgent }.isEmpty }
        let brain = try #require(inventory.node(named: "brain"))
        let lab = try #require(inventory.node(named: "lab"))
        let onBrain = PodPlacement.of([brain], among: cluster)
        #expect(
            onBrain.nodeSelector.map { "\($0.key)=\($0.value)" } == [
                "lurus.cn/role=gateway", "lurus.cn/bandwidth=high",
            ]
        )
        #expect(onBrain.hostnames.isEmpty, "the labels single brain out")
        #expect(onBrain.tolerations.isEmpty)
        let onLab = PodPlacement.of([lab], among: cluster)
        #expect(onLab.tolerations.map(\.description) == ["lurus.cn/local=true:PreferNoSchedule"])
        let onBoth = PodPlacement.of([brain, lab], among: cluster)
        #expect(onBoth.nodeSelector.isEmpty)
        #expect(onBoth.hostnames == ["brain", "lab"], "no shared label: held to the two nodes by name")
    }

    @Test func onlyTheIngressControllerReachesTheGatewayAndOnlyTheGatewayReachesProvider() async throws {
        let inventory = try ManifestFixtures.inventory("lurus")
        let services = try ServiceCatalog.resolve(in: inventory)
        let provider = try #require(services.first { $0.component == .provider })
        let gateway = try #require(services.first { $0.component == .gateway })
        let gatewayRules = try NetworkRules.of(gateway, among: services, in: inventory)
        #expect(gatewayRules.ingress == [NetworkRules.IngressRule(source: .ingressController, port: 18100)])
        #expect(
            gatewayRules.egress.map(\.destination) == [
                .dns, .addresses(["100.64.0.0/10", "fd7a:115c:a1e0::/48"]), .service("provider"), .service("billing"),
                .addresses(["100.64.0.0/10", "fd7a:115c:a1e0::/48"]), .internet,
            ]
        )
        #expect(gatewayRules.egress.map(\.port) == [53, 4222, 18101, 18103, 4318, 443])
        let providerRules = try NetworkRules.of(provider, among: services, in: inventory)
        #expect(providerRules.ingress == [NetworkRules.IngressRule(source: .service("gateway"), port: 18101)])
        #expect(providerRules.egress.map(\.port) == [53, 5432, 6379, 4222, 4318], "PostgreSQL, Redis, NATS, Jaeger")
        #expect(!providerRules.egress.contains { $0.destination == .internet })
        // Nobody talks to the log service: it only reaches out (ClickHouse, NATS, Jaeger).
        let log = try #require(services.first { $0.component == .log })
        let logRules = try NetworkRules.of(log, among: services, in: inventory)
        #expect(logRules.ingress.isEmpty)
        #expect(logRules.egress.map(\.port) == [53, 8123, 4222, 4318])
        let billing = try #require(services.first { $0.component == .billing })
        let billingRules = try NetworkRules.of(billing, among: services, in: inventory)
        #expect(billingRules.ingress == [NetworkRules.IngressRule(source: .service("gateway"), port: 18103)])

        let bundle = try await ManifestFixtures.render(services, in: inventory)
        let policy = try ManifestFixtures.document("NetworkPolicy", "provider", in: bundle)
        #expect(
            policy.contains(
                "    # from gateway\n    - from:\n        - podSelector:\n            matchLabels:\n              app: gateway\n"
            )
        )
        #expect(!policy.contains("traefik"))
    }

    @Test func withoutAMeshPeersAreReachedAtTheirOwnAddresses() throws {
        var inventory = try ManifestFixtures.inventory("lab")
        inventory.runtime = .k3s
        let gateway = try #require(try ServiceCatalog.resolve(ServiceCatalog.gateway, in: inventory, runtime: .systemd))
        let rules = try NetworkRules.of(gateway, among: [gateway], in: inventory)
        #expect(rules.egress.map(\.destination).contains(.addresses(["10.77.0.11/32"])))
    }

    @Test func aMalformedDigestIsRefused() {
        #expect(throws: KubernetesManifestError.self) { try PodImage(.gateway, digest: "sha256:abc") }
        #expect(throws: KubernetesManifestError.self) {
            try PodImage(.gateway, digest: "sha256:" + String(repeating: "A", count: 64))
        }
        #expect(
            (try? PodImage(.gateway, digest: ManifestFixtures.digest))?.reference
                == "lurus.local/gateway@\(ManifestFixtures.digest)"
        )
    }
}
