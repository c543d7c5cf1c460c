import LurusInventory

/// The bundled services of `services/`, as data: the one place that says what each one is.
///
/// Adding a service is one entry in `definitions` (its component already has a port in
/// `Component.defaultPorts` and its needs in `ComponentDependencies.swift`).
public enum ServiceCatalog {
    /// Every service lurusctl can ship, in `Component.services` order.
    public static let definitions: [ServiceDefinition] = [Self.gateway]

    /// The definition of `component`, or nil when it is not a service lurusctl can ship yet.
    public static func definition(of component: Component) -> ServiceDefinition? {
        self.definitions.first { $0.component == component }
    }

    /// The NATS user every service connects as, and the store name of its password: the `nats` component
    /// (`Sources/LurusComponents/Nats/NatsComponent.swift`) writes the same user and secret into NATS.
    public static let natsUser = "lurus"
    public static let natsPasswordSecret = "nats/lurus"
    /// Provider API keys: `secrets: providers/NAME` is read by the gateway from `provider-NAME`, the path a
    /// catalog's `api_key_file` names.
    public static let providerKeyPrefix = "providers/"

    /// The LLM gateway (`doc/gateway.md`): the only service clients reach, through the ingress.
    public static let gateway = ServiceDefinition(
        component: .gateway,
        executable: "lurus-gateway",
        environment: [
            EnvironmentVariable("HTTP_PORT", .port),
            EnvironmentVariable("KEYS_FILE", .secretFile("keys.json")),
            EnvironmentVariable("CATALOG_FILE", .secretFile("catalog.json")),
            EnvironmentVariable("NATS_URL", .address(.nats, scheme: "nats", portKey: "client_port")),
            EnvironmentVariable("NATS_USER", .literal(Self.natsUser)),
            EnvironmentVariable("NATS_PASSWORD_FILE", .secretFile("nats-password")),
            EnvironmentVariable("PROVIDER_SERVICE_URL", .address(.provider, scheme: "http", portKey: "port")),
            EnvironmentVariable("BILLING_SERVICE_URL", .address(.billing, scheme: "http", portKey: "port")),
            EnvironmentVariable("BILLING_SKIP_CHECK", .setting("skip_balance_check")),
            EnvironmentVariable("TRACING_ENABLED", .whenPlaced(.jaeger, "true")),
            EnvironmentVariable("TRACING_ENDPOINT", .address(.jaeger, scheme: "http", portKey: "otlp_http_port")),
            EnvironmentVariable("SPOOL_DIRECTORY", .literal("/var/lib/lurus-gateway/spool")),
            EnvironmentVariable("SHUTDOWN_DRAIN_SECONDS", .drainSeconds),
        ],
        secretFiles: [
            SecretFile(fileName: "keys.json", secret: "gateway/keys", generated: false),
            SecretFile(fileName: "nats-password", secret: Self.natsPasswordSecret, generated: true, owner: .nats),
            // The offline catalog (`doc/gateway.md`): providers, models, prices and the paths of their keys.
            // It can be left out once the provider service serves the catalog.
            SecretFile(fileName: "catalog.json", secret: "gateway/catalog", generated: false, optional: true),
        ],
        secretFamilies: [SecretFamily(prefix: Self.providerKeyPrefix, fileNamePrefix: "provider-")],
        writableDirectories: ["/var/lib/lurus-gateway/spool"],
        exposure: .ingress,
        internetPorts: [443],
        resources: ContainerResources(cpuRequest: "250m", memoryRequest: "128Mi", cpuLimit: "2", memoryLimit: "512Mi"),
        autoscaling: Autoscaling(maximumReplicas: 8, cpuUtilization: 70),
        drainSeconds: 30,
        needsOneOf: RequiredChoice(
            variables: ["PROVIDER_SERVICE_URL", "CATALOG_FILE"],
            reason: "the gateway needs a provider catalog and the provider service is not deployed",
            hint: "add secrets.gateway/catalog to INVENTORY (a catalog file, doc/gateway.md), with "
                + "secrets.providers/NAME for each provider's key"
        )
    )
}
