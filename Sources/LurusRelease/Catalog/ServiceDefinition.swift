import LurusInventory

/// What one bundled service is, as data: its component, binary, port, health route, environment, secret
/// files, resources and how it is reached. `ServiceCatalog.definitions` holds one per service.
///
/// The components it talks to are read from its environment (`peers`), so an address cannot be given to
/// a service without the network rules that let it through.
public struct ServiceDefinition: Sendable, Hashable {
    /// The inventory component that places it.
    public var component: Component
    /// The executable product in `services/Package.swift`.
    public var executable: String
    /// The settings key of the port it listens on (its default is in `Component.defaultPorts`).
    public var portKey: String
    /// The route that answers 200 once the service can serve.
    public var healthPath: String
    /// Its environment, in order.
    public var environment: [EnvironmentVariable]
    /// The secrets it reads from files.
    public var secretFiles: [SecretFile]
    /// Secrets it reads by a name prefix: every inventory secret under the prefix becomes a file.
    public var secretFamilies: [SecretFamily]
    /// Directories it writes to (everything else is read-only).
    public var writableDirectories: [String]
    /// Who may open connections to it besides the services that talk to it.
    public var exposure: Exposure
    /// TCP ports it reaches on the internet (the gateway's LLM providers).
    public var internetPorts: [Int]
    /// CPU and memory it asks for and may not exceed.
    public var resources: ContainerResources
    /// When set, replicas follow load between the inventory's `replicas` and this range's maximum.
    public var autoscaling: Autoscaling?
    /// How long SIGTERM may take: the service finishes in-flight requests for up to this long.
    public var drainSeconds: Int
    /// Choices of variables, of each of which at least one must be set for the service to start (the
    /// gateway needs a catalog and client keys).
    public var needsOneOf: [RequiredChoice]

    public init(
        component: Component,
        executable: String,
        portKey: String = "port",
        healthPath: String = "/health",
        environment: [EnvironmentVariable],
        secretFiles: [SecretFile] = [],
        secretFamilies: [SecretFamily] = [],
        writableDirectories: [String] = [],
        exposure: Exposure = .internal,
        internetPorts: [Int] = [],
        resources: ContainerResources,
        autoscaling: Autoscaling? = nil,
        drainSeconds: Int,
        needsOneOf: [RequiredChoice] = []
    ) {
        self.component = component
        self.executable = executable
        self.portKey = portKey
        self.healthPath = healthPath
        self.environment = environment
        self.secretFiles = secretFiles
        self.secretFamilies = secretFamilies
        self.writableDirectories = writableDirectories
        self.exposure = exposure
        self.internetPorts = internetPorts
        self.resources = resources
        self.autoscaling = autoscaling
        self.drainSeconds = drainSeconds
        self.needsOneOf = needsOneOf
    }

    /// The service's name: its component's (`gateway`).
    public var name: String { self.component.name }

    /// The components this service opens connections to: those its environment addresses, in order.
    public var peers: [Component] {
        var peers: [Component] = []
        for variable in self.environment {
            if let component = variable.value.peer, !peers.contains(component) { peers.append(component) }
        }
        return peers
    }

    /// The store secrets whose SHA-256 its environment holds, in order, each once.
    public var digestedSecrets: [String] {
        var names: [String] = []
        for variable in self.environment {
            if case .secretSHA256(let name, _) = variable.value, !names.contains(name) { names.append(name) }
        }
        return names
    }
}

/// Who may open connections to a service.
public enum Exposure: Sendable, Hashable {
    /// Only the services that talk to it.
    case `internal`
    /// Also clients outside the cluster, through the ingress controller (Traefik on K3s).
    case ingress
}

/// One environment variable and where its value comes from.
public struct EnvironmentVariable: Sendable, Hashable {
    public var name: String
    public var value: EnvironmentValue

    public init(_ name: String, _ value: EnvironmentValue) {
        self.name = name
        self.value = value
    }
}

/// Where an environment variable's value comes from.
public enum EnvironmentValue: Sendable, Hashable {
    /// This text.
    case literal(String)
    /// The service's own port (its `portKey` setting).
    case port
    /// One of the service's own settings under `components.NAME:`.
    case setting(String)
    /// The service's `drainSeconds`, which its termination grace period is made from.
    case drainSeconds
    /// `SCHEME://HOST:PORT PATH` of another component as the inventory places it, with the port under
    /// `portKey` of that component's settings. Left out when the component is placed nowhere, unless the
    /// service requires it (`Component.requirements`), which is an error.
    case address(Component, scheme: String, portKey: String, path: String = "")
    /// This text when the component is placed somewhere, else left out (`TRACING_ENABLED=true`).
    case whenPlaced(Component, String)
    /// The path of one of the service's secret files, by file name.
    case secretFile(String)
    /// The host alone (`POSTGRES_HOST=heart`) of another component as `.address` finds it; `portKey` is
    /// the port the service opens there, for the network rules. Left out or an error as `.address` is.
    case host(Component, portKey: String)
    /// The port alone (`POSTGRES_PORT=5432`) under `portKey` of another component's settings, as `.address`
    /// finds it. Left out or an error as `.address` is.
    case peerPort(Component, portKey: String)
    /// One of another component's settings (the log service's `RETENTION_DAYS` is ClickHouse's
    /// `retention_days`), written or default.
    case componentSetting(Component, String)
    /// The lowercase hex SHA-256 of a secret of lurusctl's store (generated when the inventory names none),
    /// as the services check a token: its text with surrounding whitespace trimmed. The service is given
    /// only the digest; whoever calls it reads the token from the store (`lurusctl secrets show NAME`) or
    /// from its own secret file. Left out when `owner` runs nowhere (the gateway, for its service token).
    case secretSHA256(String, owner: Component? = nil)

    /// The component this value makes the service open connections to, if any.
    var peer: Component? {
        switch self {
        case .address(let component, _, _, _), .host(let component, _), .peerPort(let component, _): component
        default: nil
        }
    }
}

/// A secret the service reads from a file: which secret of the store, under which file name.
public struct SecretFile: Sendable, Hashable {
    /// The file name in the service's secret directory; also the key in a Kubernetes Secret.
    public var fileName: String
    /// The secret's name in lurusctl's store (`nats/lurus`).
    public var secret: String
    /// Whether lurusctl may generate it when nobody wrote one; false when it must come from `secrets:`
    /// (a value with a format, like the gateway's keys file).
    public var generated: Bool
    /// The component the secret belongs to: the file is left out when that component is placed nowhere.
    public var owner: Component?
    /// Whether the service can do without it: the file is left out when the inventory names no such secret
    /// (only for secrets lurusctl may not generate).
    public var optional: Bool

    public init(fileName: String, secret: String, generated: Bool, owner: Component? = nil, optional: Bool = false) {
        self.fileName = fileName
        self.secret = secret
        self.generated = generated
        self.owner = owner
        self.optional = optional
    }
}

/// Secrets a service reads by name prefix, each from its own file: `providers/openai` in the inventory's
/// `secrets:` becomes `provider-openai` in the service's secret directory. Never generated.
public struct SecretFamily: Sendable, Hashable {
    /// The secrets' name prefix in the store, with its slash (`providers/`).
    public var prefix: String
    /// What the file name starts with before the rest of the secret's name (`provider-`).
    public var fileNamePrefix: String

    public init(prefix: String, fileNamePrefix: String) {
        self.prefix = prefix
        self.fileNamePrefix = fileNamePrefix
    }
}

/// CPU and memory of one container, in Kubernetes quantities.
public struct ContainerResources: Sendable, Hashable {
    public var cpuRequest: String
    public var memoryRequest: String
    public var cpuLimit: String
    public var memoryLimit: String

    public init(cpuRequest: String, memoryRequest: String, cpuLimit: String, memoryLimit: String) {
        self.cpuRequest = cpuRequest
        self.memoryRequest = memoryRequest
        self.cpuLimit = cpuLimit
        self.memoryLimit = memoryLimit
    }
}

/// Replicas that follow CPU load.
public struct Autoscaling: Sendable, Hashable {
    /// The most replicas; never below the inventory's `replicas`, which is the least.
    public var maximumReplicas: Int
    /// The average CPU use, in percent of the request, replicas are added above.
    public var cpuUtilization: Int

    public init(maximumReplicas: Int, cpuUtilization: Int) {
        self.maximumReplicas = maximumReplicas
        self.cpuUtilization = cpuUtilization
    }
}

/// Environment variables of which a service needs at least one, why, and how to give one (`INVENTORY` in
/// the hint stands for the inventory's path).
public struct RequiredChoice: Sendable, Hashable {
    public var variables: [String]
    public var reason: String
    public var hint: String

    public init(variables: [String], reason: String, hint: String) {
        self.variables = variables
        self.reason = reason
        self.hint = hint
    }
}
