import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusRelease

/// The services as the shipped inventories place them: hosts, ports, secret files, and what is left out
/// when a peer is placed nowhere.
@Suite struct ServiceCatalogTests {
    static func inventory(_ name: String) throws -> Inventory {
        try InventoryLoader.load(path: Repository.path("inventory/\(name).yaml")).inventory
    }

    /// The gateway alone, as lurusctl shipped it before provider, billing and log: to check that a placed
    /// service the catalog does not ship is never addressed.
    static let gatewayOnly: Set<Component> = [.gateway]

    static func gateway(
        _ inventory: Inventory,
        shipped: Set<Component> = ServiceCatalog.shipped
    ) throws -> ResolvedService {
        try #require(try ServiceCatalog.resolve(ServiceCatalog.gateway, in: inventory, shipped: shipped))
    }

    static func environment(_ service: ResolvedService) -> [String] { service.environment.map(\.description) }

    /// `inventory` with `component` taken off every node.
    static func without(_ component: Component, in inventory: Inventory) -> Inventory {
        var inventory = inventory
        for index in inventory.nodes.indices { inventory.nodes[index].components.removeAll { $0 == component } }
        return inventory
    }

    @Test func productionGatewayReachesNatsAndJaegerByNodeAndPeersByService() throws {
        let gateway = try Self.gateway(try Self.inventory("lurus"))
        #expect(
            Self.environment(gateway) == [
                "HTTP_PORT=18100",
                "NATS_URL=nats://brain:4222",
                "NATS_USER=lurus",
                "NATS_PASSWORD_FILE=/etc/lurus/gateway/secrets/nats-password",
                "PROVIDER_SERVICE_URL=http://provider.lurus.svc.cluster.local:18101",
                "PROVIDER_TOKEN_FILE=/etc/lurus/gateway/secrets/service-token-provider",
                "BILLING_SERVICE_URL=http://billing.lurus.svc.cluster.local:18103",
                "BILLING_TOKEN_FILE=/etc/lurus/gateway/secrets/service-token-billing",
                "BILLING_SKIP_CHECK=false",
                "TRACING_ENABLED=true",
                "TRACING_ENDPOINT=http://lab:4318",
                "SPOOL_DIRECTORY=/var/lib/lurus-gateway/spool",
                "SHUTDOWN_DRAIN_SECONDS=30",
            ]
        )
        #expect(gateway.nodes.map(\.name) == ["brain"])
        #expect(gateway.port == 18100)
        #expect(gateway.replicas == 2)
        #expect(
            gateway.secretFiles.map(\.secret) == ["nats/lurus", "gateway/service-token", "gateway/service-token"],
            "no keys file: production names none, billing serves the keys"
        )
        #expect(gateway.digestedSecrets.isEmpty, "the gateway holds its token, not a digest")
        #expect(gateway.peers.map(\.component) == [.nats, .provider, .billing, .jaeger])
        #expect(gateway.peers.map { $0.location == .service } == [false, true, true, false])
        #expect(
            gateway.peers.map(\.host) == [
                "brain", "provider.lurus.svc.cluster.local", "billing.lurus.svc.cluster.local", "lab",
            ]
        )
    }

    @Test func labGatewayUnderSystemdReachesNatsAndItsPeersByNodeAndReadsItsCatalogFile() throws {
        let gateway = try Self.gateway(try Self.inventory("lab"))
        #expect(
            Self.environment(gateway) == [
                "HTTP_PORT=18100",
                "KEYS_FILE=/etc/lurus/gateway/secrets/keys.json",
                "CATALOG_FILE=/etc/lurus/gateway/secrets/catalog.json",
                "NATS_URL=nats://brain:4222",
                "NATS_USER=lurus",
                "NATS_PASSWORD_FILE=/etc/lurus/gateway/secrets/nats-password",
                "PROVIDER_SERVICE_URL=http://brain:18101",
                "PROVIDER_TOKEN_FILE=/etc/lurus/gateway/secrets/service-token-provider",
                "BILLING_SERVICE_URL=http://brain:18103",
                "BILLING_TOKEN_FILE=/etc/lurus/gateway/secrets/service-token-billing",
                "BILLING_SKIP_CHECK=true",
                "SPOOL_DIRECTORY=/var/lib/lurus-gateway/spool",
                "SHUTDOWN_DRAIN_SECONDS=30",
            ]
        )
        #expect(gateway.replicas == 2, "the default of the replicas setting")
        // The provider keys come from every `providers/NAME` secret, each its own file.
        #expect(
            gateway.secretFiles.map { "\($0.secret) \($0.path)" } == [
                "gateway/keys /etc/lurus/gateway/secrets/keys.json",
                "nats/lurus /etc/lurus/gateway/secrets/nats-password",
                "gateway/catalog /etc/lurus/gateway/secrets/catalog.json",
                "gateway/service-token /etc/lurus/gateway/secrets/service-token-provider",
                "gateway/service-token /etc/lurus/gateway/secrets/service-token-billing",
                "providers/fake /etc/lurus/gateway/secrets/provider-fake",
            ]
        )
        #expect(ServiceCatalog.unnamedSecrets(of: [gateway], in: try Self.inventory("lab")).isEmpty)
    }

    @Test func aPlacedServiceThatIsNotShippedYetIsNotAddressed() throws {
        let inventory = try Self.inventory("lab")
        #expect(inventory.isPlaced(.provider) && inventory.isPlaced(.billing))
        let gateway = try Self.gateway(inventory, shipped: Self.gatewayOnly)
        #expect(
            !gateway.environment.contains { $0.name.hasPrefix("PROVIDER_") || $0.name.hasPrefix("BILLING_SERVICE") }
        )
        #expect(!gateway.environment.contains { $0.name.hasSuffix("_TOKEN_FILE") })
        #expect(!gateway.secretFiles.contains { $0.secret == ServiceCatalog.serviceTokenSecret }, "no token for nobody")
        let shipped = try Self.gateway(inventory)
        #expect(Self.environment(shipped).contains("PROVIDER_SERVICE_URL=http://brain:18101"))
        #expect(Self.environment(shipped).contains("BILLING_SERVICE_URL=http://brain:18103"))
    }

    @Test func aMovedPortIsTheOnePeersAreGiven() throws {
        var inventory = try Self.inventory("lurus")
        inventory.settings[.nats] = ComponentSettings(component: .nats, values: ["client_port": .integer(4333)])
        inventory.settings[.gateway] = ComponentSettings(component: .gateway, values: ["port": .integer(18200)])
        let gateway = try Self.gateway(inventory)
        #expect(Self.environment(gateway).contains("NATS_URL=nats://brain:4333"))
        #expect(Self.environment(gateway).first == "HTTP_PORT=18200")
        #expect(gateway.port == 18200)
    }

    @Test func aServicePlacedNowhereGivesNothing() throws {
        let inventory = Self.without(.gateway, in: try Self.inventory("lurus"))
        #expect(try ServiceCatalog.resolve(ServiceCatalog.gateway, in: inventory) == nil)
        #expect(try ServiceCatalog.resolve(in: inventory).map(\.component) == [.provider, .billing, .log])
        var none = inventory
        for service in Component.services { none = Self.without(service, in: none) }
        #expect(try ServiceCatalog.resolve(in: none).isEmpty)
    }

    @Test(arguments: [
        (Component.provider, ["PROVIDER_SERVICE_URL", "PROVIDER_TOKEN_FILE"]),
        (.billing, ["BILLING_SERVICE_URL", "BILLING_TOKEN_FILE"]), (.jaeger, ["TRACING_ENABLED", "TRACING_ENDPOINT"]),
    ])
    func anOptionalPeerPlacedNowhereLeavesItsVariablesOut(peer: Component, variables: [String]) throws {
        let full = try Self.gateway(try Self.inventory("lurus"))
        #expect(variables.allSatisfy { variable in full.environment.contains { $0.name == variable } })
        let gateway = try Self.gateway(Self.without(peer, in: try Self.inventory("lurus")))
        #expect(!gateway.environment.contains { variables.contains($0.name) })
        #expect(!gateway.peers.contains { $0.component == peer })
        #expect(gateway.environment.count == full.environment.count - variables.count)
        // The token file goes with the service it is for; the other one stays.
        #expect(
            gateway.secretFiles.filter { $0.secret == ServiceCatalog.serviceTokenSecret }.count
                == (peer == .jaeger ? 2 : 1)
        )
    }

    @Test func aRequiredPeerPlacedNowhereIsAnErrorThatSaysWhatToAdd() throws {
        let inventory = Self.without(.nats, in: try Self.inventory("lurus"))
        let error = #expect(throws: ServiceCatalogError.self) {
            try ServiceCatalog.resolve(ServiceCatalog.gateway, in: inventory)
        }
        #expect(
            error?.description
                == "gateway: nats is placed on no node, and the gateway publishes usage events to NATS "
                + "(add nats to a node's components in \(inventory.path))"
        )
    }

    @Test func aPeerOutsideTheK3sClusterIsRefusedUnderK3s() throws {
        var inventory = try Self.inventory("lurus")
        inventory = Self.without(.jaeger, in: inventory)
        let monitor = try #require(inventory.nodes.firstIndex { $0.name == "monitor" })
        inventory.nodes[monitor].components.append(.jaeger)
        let error = #expect(throws: ServiceCatalogError.self) {
            try ServiceCatalog.resolve(ServiceCatalog.gateway, in: inventory)
        }
        #expect(error?.message.contains("monitor, which is not a K3s node") == true)
    }

    @Test func theKeysFileAndACatalogAreNeededOnlyWithoutBillingAndTheProviderService() throws {
        var inventory = try Self.inventory("lurus")
        // Billing and the provider service run: keys and catalog come from them, the files are optional.
        let services = try ServiceCatalog.resolve(in: inventory)
        #expect(ServiceCatalog.unnamedSecrets(of: services, in: inventory).isEmpty)
        let gateway = try #require(services.first { $0.component == .gateway })
        #expect(!gateway.environment.contains { $0.name == "KEYS_FILE" || $0.name == "CATALOG_FILE" })
        // The gateway alone needs both files.
        let alone = try ServiceCatalog.resolve(in: inventory, shipped: Self.gatewayOnly)
        #expect(
            ServiceCatalog.unnamedSecrets(of: alone, in: inventory).map(\.description) == [
                "gateway: none of BILLING_SERVICE_URL, KEYS_FILE can be set: the gateway needs client keys and "
                    + "the billing service is not deployed (add secrets.gateway/keys to \(inventory.path) (a keys "
                    + "file, doc/gateway.md))",
                "gateway: none of PROVIDER_SERVICE_URL, CATALOG_FILE can be set: the gateway needs a provider "
                    + "catalog and the provider service is not deployed (add secrets.gateway/catalog to "
                    + "\(inventory.path) (a catalog file, doc/gateway.md), with secrets.providers/NAME for each "
                    + "provider's key)",
            ]
        )
        inventory.secrets["gateway/keys"] = .file("~/lurus/keys.json")
        inventory.secrets["gateway/catalog"] = .file("~/lurus/catalog.json")
        let withFiles = try ServiceCatalog.resolve(in: inventory, shipped: Self.gatewayOnly)
        #expect(ServiceCatalog.unnamedSecrets(of: withFiles, in: inventory).isEmpty)
        // With billing and the provider service, the files go to them as well: they provision from them.
        let all = try ServiceCatalog.resolve(in: inventory)
        #expect(all.first { $0.component == .billing }?.secretFiles.map(\.fileName).contains("keys.json") == true)
        #expect(all.first { $0.component == .provider }?.secretFiles.map(\.fileName).contains("catalog.json") == true)
        #expect(all.first { $0.component == .gateway }?.environment.map(\.name).contains("KEYS_FILE") == true)
    }

    @Test func everyDefinitionIsAServiceWithAPortAndEveryVariableIsNamedOnce() {
        for definition in ServiceCatalog.definitions {
            #expect(definition.component.isService)
            #expect(definition.component.defaultPorts.contains { $0.key == definition.portKey })
            let names = definition.environment.map(\.name)
            #expect(Set(names).count == names.count, "\(definition.name) names a variable twice")
            for case .secretFile(let file) in definition.environment.map(\.value) {
                #expect(definition.secretFiles.contains { $0.fileName == file }, "\(file) is not a secret file")
            }
        }
        #expect(ServiceCatalog.definitions.map(\.component) == Component.services)
        #expect(
            ServiceCatalog.definitions.map(\.executable) == [
                "lurus-provider", "lurus-billing", "lurus-gateway", "lurus-logs",
            ]
        )
    }
}
