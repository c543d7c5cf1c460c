import LurusRemote

/// Something that must be true on a node: a package installed, a file with this content, a service running.
///
/// A resource is a value. What reads its current state (`probe`) and what changes it (`apply`) are typed
/// argv values built by its kind in `Resources/Kinds/`; the engine batches the probes of a node into one
/// script and runs the applies one step at a time.
public struct Resource: Sendable, Hashable {
    public var kind: Kind
    /// The component this resource belongs to (`base`, `postgres`), for output only.
    public var component: String

    public init(_ kind: Kind, component: String) {
        self.kind = kind
        self.component = component
    }

    public enum Kind: Sendable, Hashable {
        case package(Package)
        case aptRepository(AptRepository)
        case file(File)
        case fileBlock(FileBlock)
        case directory(Directory)
        case symlink(Symlink)
        case download(Download)
        case systemdUnit(SystemdUnit)
        case service(Service)
        case user(User)
        case group(Group)
        case sysctl(Sysctl)
        case command(Command)
    }

    /// The kind's value, seen through what every kind can do.
    var spec: any ResourceSpec {
        switch self.kind {
        case .package(let value): value
        case .aptRepository(let value): value
        case .file(let value): value
        case .fileBlock(let value): value
        case .directory(let value): value
        case .symlink(let value): value
        case .download(let value): value
        case .systemdUnit(let value): value
        case .service(let value): value
        case .user(let value): value
        case .group(let value): value
        case .sysctl(let value): value
        case .command(let value): value
        }
    }

    public var id: ResourceID { self.spec.id }
}

/// Names one resource on a node: its kind and what it manages, e.g. `file /etc/hosts`.
public struct ResourceID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var kind: String
    public var name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    public var description: String { "\(self.kind) \(self.name)" }

    public static func < (lhs: ResourceID, rhs: ResourceID) -> Bool {
        (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
    }
}

/// What every kind of resource provides: its identity, how to read its state, how to decide what must
/// change, and how to change it. All pure: the engine runs the commands.
protocol ResourceSpec: Sendable {
    var id: ResourceID { get }
    /// A command that prints the current state as `KEY=VALUE` lines (values free of newlines; anything
    /// arbitrary base64-encoded), run as root inside the node's batched probe script.
    var probe: ShellScript { get }
    /// What must change, given the state the probe printed and the resources changed before this one on the
    /// same node in this run (services restart for those they depend on).
    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference
    /// The commands that make the state true, for a difference `compare` found.
    func apply(_ difference: Difference) -> [ApplyCommand]
}

/// What should become of a resource.
public enum Ensure: String, Sendable, Hashable, Codable {
    case present
    case absent
}
