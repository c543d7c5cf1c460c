import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusRelease

/// The admin token and the gateway's service token never leave lurusctl but in secret files: not in a
/// manifest's text, a ConfigMap, the rollout ledger, an environment file, a command line or an error. The
/// services are given their SHA-256 (not a secret: the digest of 256 random bits); the gateway its token,
/// in a 0600 file or a Kubernetes Secret.
@Suite struct TokenSecrecyTests {
    static let admin = "Adm1n_Tok3n-" + String(repeating: "a", count: 31)
    static let service = "Serv1ce_Tok3n-" + String(repeating: "s", count: 29)

    /// `test-secret-NAME` for every secret, but the two tokens, which get values of their own.
    static func secrets(for services: [ResolvedService]) -> [String: Secret] {
        var secrets = ManifestFixtures.secrets(for: services)
        secrets[ServiceCatalog.adminTokenSecret] = Secret(
            name: ServiceCatalog.adminTokenSecret,
            bytes: Array(Self.admin.utf8)
        )
        secrets[ServiceCatalog.serviceTokenSecret] = Secret(
            name: ServiceCatalog.serviceTokenSecret,
            bytes: Array(Self.service.utf8)
        )
        return secrets
    }

    /// The forms a token could leak in: as it is, and base64 (a Kubernetes Secret's data).
    static func forms(_ token: String) -> [String] { [token, Data(token.utf8).base64EncodedString()] }

    @Test func underK3sTheTokensAreOnlyInTheGatewaysSecretAndTheirDigestsInConfigMaps() async throws {
        let inventory = try ManifestFixtures.inventory("lurus")
        let services = try ServiceCatalog.resolve(in: inventory)
        let secrets = Self.secrets(for: services)
        let bundle = try await ManifestFixtures.render(services, in: inventory, secrets: secrets)
        let input = String(decoding: try bundle.applyInput(secrets: secrets).bytes, as: UTF8.self)
        for form in Self.forms(Self.admin) + Self.forms(Self.service) {
            #expect(!bundle.text.contains(form), "the manifests' text (plan, ledger) holds a token")
        }
        // The admin token is in nothing applied; the service token only in the gateway's Secret.
        for form in Self.forms(Self.admin) { #expect(!input.contains(form)) }
        let applied = input.components(separatedBy: "\n---\n")
        let holding = applied.filter { $0.contains(Data(Self.service.utf8).base64EncodedString()) }
        #expect(holding.count == 1)
        #expect(
            holding.first?.contains("kind: Secret\n") == true
                && holding.first?.contains("name: gateway-secrets-") == true
        )
        #expect(!input.contains(Self.service), "never as plain text, only in a Secret's data")

        let adminDigest = Digest.sha256Hex(Array(Self.admin.utf8))
        let serviceDigest = Digest.sha256Hex(Array(Self.service.utf8))
        for name in ["provider", "billing", "log"] {
            let configMap = try ManifestFixtures.document("ConfigMap", "\(name)-env", in: bundle)
            #expect(configMap.contains("ADMIN_TOKEN_SHA256: \"\(adminDigest)\"\n"), "\(name)")
            #expect(configMap.contains("GATEWAY_TOKEN_SHA256: \"\(serviceDigest)\"\n") == (name != "log"), "\(name)")
        }

        // The rollout ledger keeps every document of a deployment, its Secret with slots only.
        for service in services {
            let entry = LedgerEntry(
                record: DeploymentRecord(
                    deployment: "7b2e4d6f8a0c-1a2b3c4d",
                    release: "7b2e4d6f8a0c",
                    service: service.name,
                    deployedAt: 1_764_669_600,
                    deployedBy: "ops@control",
                    commit: nil,
                    configuration: "release"
                ),
                image: "lurus.local/\(service.name)@\(ManifestFixtures.digest)",
                objects: [],
                manifests: bundle.documents
            )
            let ledger = String(decoding: entry.configMap(namespace: "lurus"), as: UTF8.self)
            for form in Self.forms(Self.admin) + Self.forms(Self.service) {
                #expect(!ledger.contains(form), "the ledger of \(service.name) holds a token")
            }
        }

        // A rotated admin token is a new ConfigMap, so the pods restart with its digest.
        var rotated = secrets
        rotated[ServiceCatalog.adminTokenSecret] = Secret(
            name: ServiceCatalog.adminTokenSecret,
            bytes: Array("new".utf8)
        )
        let again = try await ManifestFixtures.render(services, in: inventory, secrets: rotated)
        #expect(
            try KubernetesManifestsTests.hash(again, "ConfigMap", "billing")
                != (try KubernetesManifestsTests.hash(bundle, "ConfigMap", "billing"))
        )
        #expect(
            try KubernetesManifestsTests.hash(again, "ConfigMap", "gateway")
                == (try KubernetesManifestsTests.hash(bundle, "ConfigMap", "gateway"))
        )
    }

    @Test func underSystemdTheTokensAreOnlyInTheGatewaysSecretFiles() async throws {
        let inventory = try ManifestFixtures.inventory("lab")
        let services = try ServiceCatalog.resolve(in: inventory)
        let secrets = Self.secrets(for: services)
        let templates = try await ManifestFixtures.templates()
        var holding: [String] = []
        for node in inventory.nodes {
            let units = try SystemdHostUnits.units(
                on: node,
                services: services,
                inventory: inventory,
                secrets: secrets,
                templates: templates
            )
            for resource in units.flatMap(\.resources) {
                #expect(!"\(resource.id)".contains(Self.admin) && !"\(resource.id)".contains(Self.service))
                switch resource.kind {
                case .file(let file):
                    let text = String(decoding: file.content, as: UTF8.self)
                    #expect(!text.contains(Self.admin), "\(file.path) holds the admin token")
                    if text.contains(Self.service) {
                        #expect(file.sensitive && file.mode == 0o600 && file.owner == "lurus-gateway", "\(file.path)")
                        holding.append("\(node.name):\(file.path)")
                    }
                case .command(let command):
                    let argv = "\(command.command) \(command.unless.map { "\($0)" } ?? "")"
                    #expect(!argv.contains(Self.admin) && !argv.contains(Self.service), "\(command.name)")
                default: break
                }
            }
        }
        #expect(
            holding.sorted() == [
                "brain:/etc/lurus/gateway/secrets/service-token-billing",
                "brain:/etc/lurus/gateway/secrets/service-token-provider",
            ]
        )
        // Each deployment's environment file (sent on stdin, kept on the node, named in `releases`) holds
        // the digests only.
        for service in services {
            let file = try Deployment.environmentFile(
                of: service,
                release: ReleaseID("0123456789ab")!,
                secrets: secrets
            )
            #expect(!file.contains(Self.admin) && !file.contains(Self.service), "\(service.name)")
            if service.component != .gateway {
                #expect(file.contains("ADMIN_TOKEN_SHA256=\"\(Digest.sha256Hex(Array(Self.admin.utf8)))\"\n"))
            }
        }
        // An environment that cannot be made says which secret, never a value.
        let billing = try #require(services.first { $0.component == .billing })
        var partial = secrets
        partial[ServiceCatalog.adminTokenSecret] = nil
        let error = #expect(throws: ServiceCatalogError.self) {
            try Deployment.environmentFile(of: billing, release: ReleaseID("0123456789ab")!, secrets: partial)
        }
        #expect(error?.description.contains("admin/token") == true)
        #expect(error?.description.contains(Self.service) == false)
    }
}
