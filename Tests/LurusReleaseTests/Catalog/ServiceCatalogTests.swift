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

    static func gateway(_ inventory: Inventory) throws -> ResolvedService {
        try #require(try ServiceCatalog.resolve(ServiceCatalog.gateway, in: inventory))
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
                "KEYS_FILE=/etc/lurus/gateway/secrets/keys.json",
                "NATS_URL=nats://brain:4222",
                "NATS_USER=lurus",
                "NATS_PASSWORD_FILE=/etc/lurus/gateway/secrets/nats-password",
                "PROVIDER_SERVICE_URL=http://provider.lurus.svc.cluster.local:18101",
                "BILLING_SERVICE_URL=http://billing.lurus.svc.cluster.local:18103",
                "TRACING_ENABLED=true",
                "TRACING_ENDPOINT=http://lab:4318",
                "SPOOL_DIRECTORY=/var/lib/lurus-gateway/spool",
                "SHUTDOWN_DRAIN_SECONDS=30",
            ]
        )
        #expect(gateway.nodes.map(\.name) == ["brain"])
        #expect(gateway.port == 18100)
        #expect(gateway.replicas == 2)
        #expect(gateway.secretFiles.map(\.secret) == ["gateway/keys", "nats/lurus"])
        #expect(gateway.peers.map(\.component) == [.nats, .provider, .billing, .jaeger])
        #expect(gateway.peers.map { $0.location == .service } == [false, true, true, false])
        #expect(
            gateway.peers.map(\.host) == [
                "brain", "provider.lurus.svc.cluster.local", "billing.lurus.svc.cluster.local", "lab",
            ]
        )
    }

    @Test func labGatewayUnderSystemdReachesEveryPeerByNodeAndHasNoTracing() throws {
        let gateway = try Self.gateway(try Self.inventory("lab"))
        #expect(
            Self.environment(gateway) == [
                "HTTP_PORT=18100",
                "KEYS_FILE=/etc/lurus/gateway/secrets/keys.json",
                "NATS_URL=nats://brain:4222",
                "NATS_USER=lurus",
                "NATS_PASSWORD_FILE=/etc/lurus/gateway/secrets/nats-password",
                "PROVIDER_SERVICE_URL=http://brain:18101",
                "BILLING_SERVICE_URL=http://brain:18103",
                "SPOOL_DIRECTORY=/var/lib/lurus-gateway/spool",
                "SHUTDOWN_DRAIN_SECONDS=30",
            ]
        )
        #expect(gateway.replicas == 2, "the default of the replicas setting")
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
        #expect(try ServiceCatalog.resolve(in: inventory).isEmpty)
    }

    @Test(arguments: [
        (Component.provider, "PROVIDER_SERVICE_URL"), (.billing, "BILLING_SERVICE_URL"), (.jaeger, "TRACING_ENDPOINT"),
    ])
    func anOptionalPeerPlacedNowhereLeavesItsVariableOut(peer: Component, variable: String) throws {
        let full = try Self.gateway(try Self.inventory("lurus"))
        #expect(full.environment.contains { $0.name == variable })
        let gateway = try Self.gateway(Self.without(peer, in: try Self.inventory("lurus")))
        #expect(!gateway.environment.contains { $0.name == variable })
        #expect(!gateway.peers.contains { $0.component == peer })
        if peer == .jaeger { #expect(!gateway.environment.contains { $0.name == "TRACING_ENABLED" }) }
        #expect(gateway.environment.count == full.environment.count - (peer == .jaeger ? 2 : 1))
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

    @Test func theKeysFileMustBeNamedInTheInventory() throws {
        var inventory = try Self.inventory("lurus")
        let services = try ServiceCatalog.resolve(in: inventory)
        let problems = ServiceCatalog.unnamedSecrets(of: services, in: inventory)
        #expect(
            problems.map(\.description) == [
                "gateway: the secret gateway/keys (read from /etc/lurus/gateway/secrets/keys.json) has a format, so "
                    + "lurusctl cannot generate it (add secrets.gateway/keys to \(inventory.path), e.g. "
                    + "file:~/lurus/keys.json)"
            ]
        )
        inventory.secrets["gateway/keys"] = .file("~/lurus/keys.json")
        #expect(ServiceCatalog.unnamedSecrets(of: services, in: inventory).isEmpty)
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
        #expect(ServiceCatalog.definition(of: .gateway)?.executable == "lurus-gateway")
        #expect(ServiceCatalog.definition(of: .log) == nil)
    }
}
