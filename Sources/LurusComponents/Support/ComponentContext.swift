import LurusEngine
import LurusInventory
import LurusRemote

/// What a component sees when it turns the inventory into resources for one node: the inventory, the
/// node, the facts of the cluster, the templates and the secret values it asked for. Nothing here does I/O.
struct ComponentContext {
    var inventory: Inventory
    var node: Node
    var component: Component
    var cluster: ClusterFacts
    var templates: TemplateLibrary
    var secrets: [String: Secret]

    /// This node's facts (empty ones when they could not be read; planning needs them only for tuning).
    var facts: NodeFacts { self.cluster[self.node.name] ?? NodeFacts() }

    var mesh: MeshAddresses { MeshAddresses(inventory: self.inventory, facts: self.cluster) }

    /// The mesh address of `node` (this one by default); throws to defer the unit while it is unknown.
    func meshAddress(of node: Node? = nil) throws -> String {
        let node = node ?? self.node
        guard let address = self.mesh.address(of: node) else { throw MeshAddressPending(node: node.name) }
        return address
    }

    /// This component's settings, written or default.
    var settings: ComponentSettings { self.inventory.settings(for: self.component) }

    func text(_ key: String) -> String { self.settings[key]?.description ?? "" }

    func integer(_ key: String) -> Int {
        if case .integer(let value) = self.settings[key] { return value }
        return 0
    }

    func port(_ key: String) -> Int { self.settings.port(key) ?? 0 }

    /// A size setting in bytes.
    func bytes(_ key: String) -> Int64 {
        if case .size(let size) = self.settings[key] { return size.bytes }
        return 0
    }

    /// A duration setting in milliseconds.
    func milliseconds(_ key: String) -> Int64 {
        if case .duration(let duration) = self.settings[key] { return duration.milliseconds }
        return 0
    }

    /// The version pinned under `versions:` for this component.
    func version() throws -> String {
        guard let key = self.component.versionKey, let version = self.inventory.versions[key] else {
            throw self.error(
                "no version pinned",
                hint: "add versions.\(self.component.versionKey ?? self.component.name) to \(self.inventory.path)"
            )
        }
        return version
    }

    /// A secret the component declared it needs.
    func secret(_ name: String) throws -> Secret {
        guard let secret = self.secrets[name] else {
            throw self.error("secret \(name) was not resolved", hint: "this is a bug in lurusctl; please report it")
        }
        return secret
    }

    func render(_ template: String, _ values: [String: Any]) throws -> String {
        try self.templates.render("\(self.component.name)/\(template)", values)
    }

    func error(_ message: String, hint: String) -> ComponentError {
        ComponentError(node: self.node.name, component: self.component.name, message, hint: hint)
    }

    /// Tags a resource kind with this component.
    func resource(_ kind: Resource.Kind) -> Resource { Resource(kind, component: self.component.name) }
}

/// One component's resources on one node. Each component folder holds one type conforming to this.
protocol ComponentDefinition {
    /// Secrets the component needs on `node`, by name (resolved before planning, generated when missing).
    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed]
    /// The resources, in the order they are applied, and notices about what was left out.
    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String])
}

/// A secret a component needs: generated or named in `secrets:`, or a reference written elsewhere.
public struct SecretNeed: Sendable, Hashable {
    public var name: String
    /// Set for a reference outside `secrets:` (the mesh's auth key).
    public var reference: SecretReference?

    /// What a plan that reads no secret (`plan --facts`) uses in its place, when any text would not do
    /// (a webhook must be a URL).
    public var standIn: String?

    public init(_ name: String, reference: SecretReference? = nil, standIn: String? = nil) {
        self.name = name
        self.reference = reference
        self.standIn = standIn
    }
}
