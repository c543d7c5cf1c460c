import LurusInventory

/// The bundled services of `services/`, as data: the one place that says what each one is. Each service's
/// variables are the ones its `Configuration/` file lists (`services/Sources/Lurus*/Configuration/`).
///
/// Adding a service is one entry in `definitions` (its component already has a port in
/// `Component.defaultPorts` and its needs in `ComponentDependencies.swift`).
public enum ServiceCatalog {
    /// Every service lurusctl can ship, in `Component.services` order.
    public static let definitions: [ServiceDefinition] = [Self.provider, Self.billing, Self.gateway, Self.log]

    /// The definition of `component`, or nil when it is not a bundled service.
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
    /// The static admin token of the provider, billing and log services' admin APIs: generated, kept in the
    /// store (`lurusctl secrets show admin/token`); the services are given only its SHA-256.
    public static let adminTokenSecret = "admin/token"
    /// The token the gateway sends to billing and the provider service: a secret file on the gateway, its
    /// SHA-256 on the two it calls.
    public static let serviceTokenSecret = "gateway/service-token"

    /// The NATS variables every service that uses NATS gets (the `nats` component's user and password).
    static let natsEnvironment = [
        EnvironmentVariable("NATS_URL", .address(.nats, scheme: "nats", portKey: "client_port")),
        EnvironmentVariable("NATS_USER", .whenPlaced(.nats, Self.natsUser)),
        EnvironmentVariable("NATS_PASSWORD_FILE", .secretFile("nats-password")),
    ]
    static let natsPassword = SecretFile(
        fileName: "nats-password",
        secret: Self.natsPasswordSecret,
        generated: true,
        owner: .nats
    )

    /// Tracing to Jaeger when it is placed.
    static let tracingEnvironment = [
        EnvironmentVariable("TRACING_ENABLED", .whenPlaced(.jaeger, "true")),
        EnvironmentVariable("TRACING_ENDPOINT", .address(.jaeger, scheme: "http", portKey: "otlp_http_port")),
    ]

    /// The PostgreSQL variables of a service with a database of its own: the `postgres` component makes
    /// the role and database `lurus_SERVICE` with the password in the secret `postgres/SERVICE`
    /// (`Sources/LurusComponents/Postgres/PostgresDatabase.swift`).
    static func postgresEnvironment(_ service: Component) -> [EnvironmentVariable] {
        [
            EnvironmentVariable("POSTGRES_HOST", .host(.postgres, portKey: "port")),
            EnvironmentVariable("POSTGRES_PORT", .peerPort(.postgres, portKey: "port")),
            EnvironmentVariable("POSTGRES_USER", .literal("lurus_\(service.name)")),
            EnvironmentVariable("POSTGRES_DATABASE", .literal("lurus_\(service.name)")),
            EnvironmentVariable("POSTGRES_PASSWORD_FILE", .secretFile("postgres-password")),
        ]
    }
    static func postgresPassword(_ service: Component) -> SecretFile {
        SecretFile(fileName: "postgres-password", secret: "postgres/\(service.name)", generated: true, owner: .postgres)
    }

    /// Who may call the admin API: the static admin token, by its SHA-256 (`ADMIN_OIDC_*` are not given:
    /// a service setting cannot be left unset yet).
    static let adminEnvironment = [EnvironmentVariable("ADMIN_TOKEN_SHA256", .secretSHA256(Self.adminTokenSecret))]

    /// The check of the gateway's service token, when the gateway runs.
    static let gatewayTokenEnvironment = [
        EnvironmentVariable("GATEWAY_TOKEN_SHA256", .secretSHA256(Self.serviceTokenSecret, owner: .gateway))
    ]

    /// The client keys (`doc/gateway.md`): key ids and SHA-256s. The gateway's offline fallback once billing
    /// runs (billing issues keys then), and what billing is provisioned from.
    static let keysFile = SecretFile(fileName: "keys.json", secret: "gateway/keys", generated: false, optional: true)
    /// The catalog (`doc/gateway.md`): providers, models, prices and the paths of their keys. The gateway's
    /// offline catalog, and what the provider service is provisioned from; it may be left out once the
    /// provider service holds the catalog.
    static let catalogFile = SecretFile(
        fileName: "catalog.json",
        secret: "gateway/catalog",
        generated: false,
        optional: true
    )

    /// The LLM gateway (`doc/gateway.md`): the only service clients reach, through the ingress.
    public static let gateway = ServiceDefinition(
        component: .gateway,
        executable: "lurus-gateway",
        environment: [
            EnvironmentVariable("HTTP_PORT", .port),
            EnvironmentVariable("KEYS_FILE", .secretFile("keys.json")),
            EnvironmentVariable("CATALOG_FILE", .secretFile("catalog.json")),
        ] + Self.natsEnvironment + [
            EnvironmentVariable("PROVIDER_SERVICE_URL", .address(.provider, scheme: "http", portKey: "port")),
            EnvironmentVariable("PROVIDER_TOKEN_FILE", .secretFile("service-token-provider")),
            EnvironmentVariable("BILLING_SERVICE_URL", .address(.billing, scheme: "http", portKey: "port")),
            EnvironmentVariable("BILLING_TOKEN_FILE", .secretFile("service-token-billing")),
            EnvironmentVariable("BILLING_SKIP_CHECK", .setting("skip_balance_check")),
        ] + Self.tracingEnvironment + [
            EnvironmentVariable("SPOOL_DIRECTORY", .literal("/var/lib/lurus-gateway/spool")),
            EnvironmentVariable("SHUTDOWN_DRAIN_SECONDS", .drainSeconds),
        ],
        secretFiles: [
            Self.keysFile,
            Self.natsPassword,
            Self.catalogFile,
            // The service token, once per service it is sent to (each file only when that service runs).
            // Not `provider-…`: those names are the provider keys' (`secretFamilies`).
            SecretFile(
                fileName: "service-token-provider",
                secret: Self.serviceTokenSecret,
                generated: true,
                owner: .provider
            ),
            SecretFile(
                fileName: "service-token-billing",
                secret: Self.serviceTokenSecret,
                generated: true,
                owner: .billing
            ),
        ],
        secretFamilies: [SecretFamily(prefix: Self.providerKeyPrefix, fileNamePrefix: "provider-")],
        writableDirectories: ["/var/lib/lurus-gateway/spool"],
        exposure: .ingress,
        internetPorts: [443],
        resources: ContainerResources(cpuRequest: "250m", memoryRequest: "128Mi", cpuLimit: "2", memoryLimit: "512Mi"),
        autoscaling: Autoscaling(maximumReplicas: 8, cpuUtilization: 70),
        drainSeconds: 30,
        needsOneOf: [
            RequiredChoice(
                variables: ["BILLING_SERVICE_URL", "KEYS_FILE"],
                reason: "the gateway needs client keys and the billing service is not deployed",
                hint: "add secrets.gateway/keys to INVENTORY (a keys file, doc/gateway.md)"
            ),
            RequiredChoice(
                variables: ["PROVIDER_SERVICE_URL", "CATALOG_FILE"],
                reason: "the gateway needs a provider catalog and the provider service is not deployed",
                hint: "add secrets.gateway/catalog to INVENTORY (a catalog file, doc/gateway.md), with "
                    + "secrets.providers/NAME for each provider's key"
            ),
        ]
    )

    /// The provider service (`doc/provider.md`): the catalog of providers, models and prices the gateway
    /// reads, in PostgreSQL, cached in Redis when it is placed, with provider health from NATS.
    public static let provider = ServiceDefinition(
        component: .provider,
        executable: "lurus-provider",
        environment: [EnvironmentVariable("HTTP_PORT", .port)] + Self.postgresEnvironment(.provider) + [
            EnvironmentVariable("REDIS_HOST", .host(.redis, portKey: "port")),
            EnvironmentVariable("REDIS_PORT", .peerPort(.redis, portKey: "port")),
            EnvironmentVariable("REDIS_PASSWORD_FILE", .secretFile("redis-password")),
        ] + Self.natsEnvironment + Self.adminEnvironment + Self.gatewayTokenEnvironment + Self.tracingEnvironment
            + [
                EnvironmentVariable("CATALOG_PROVISION_FILE", .secretFile("catalog.json")),
                EnvironmentVariable("SHUTDOWN_DRAIN_SECONDS", .drainSeconds),
            ],
        secretFiles: [
            Self.postgresPassword(.provider),
            // The `redis` component's password (`redis/default`, the only user it makes).
            SecretFile(fileName: "redis-password", secret: "redis/default", generated: true, owner: .redis),
            Self.natsPassword,
            // The inventory's catalog seeds the service: what it lacks is created at start (`doc/provider.md`).
            Self.catalogFile,
        ],
        resources: ContainerResources(cpuRequest: "100m", memoryRequest: "64Mi", cpuLimit: "1", memoryLimit: "256Mi"),
        drainSeconds: 10
    )

    /// The billing service (`doc/billing.md`): wallets, leases and the ledger in PostgreSQL, settled from
    /// the usage events on NATS; the gateway's client keys and holds.
    public static let billing = ServiceDefinition(
        component: .billing,
        executable: "lurus-billing",
        environment: [EnvironmentVariable("HTTP_PORT", .port)] + Self.postgresEnvironment(.billing)
            + Self.natsEnvironment + Self.adminEnvironment + Self.gatewayTokenEnvironment + Self.tracingEnvironment
            + [EnvironmentVariable("KEYS_PROVISION_FILE", .secretFile("keys.json"))],
        // The inventory's client keys seed billing: keys, users and initial credit it lacks (`doc/billing.md`).
        secretFiles: [
            Self.postgresPassword(.billing), Self.natsPassword,
            Self.keysFile,
        ],
        resources: ContainerResources(cpuRequest: "100m", memoryRequest: "64Mi", cpuLimit: "1", memoryLimit: "256Mi"),
        // Billing drains for a fixed 10 s (`BillingService.run`); no setting.
        drainSeconds: 10
    )

    /// The log service (`doc/logs.md`, executable `lurus-logs`): request logs from NATS into ClickHouse,
    /// with the `clickhouse` component's user, database and retention.
    public static let log = ServiceDefinition(
        component: .log,
        executable: "lurus-logs",
        environment: [
            EnvironmentVariable("HTTP_PORT", .port),
            EnvironmentVariable("CLICKHOUSE_URL", .address(.clickhouse, scheme: "http", portKey: "http_port")),
            EnvironmentVariable("CLICKHOUSE_USER", .literal("lurus")),
            EnvironmentVariable("CLICKHOUSE_PASSWORD_FILE", .secretFile("clickhouse-password")),
            EnvironmentVariable("CLICKHOUSE_DATABASE", .literal("lurus_logs")),
            EnvironmentVariable("RETENTION_DAYS", .componentSetting(.clickhouse, "retention_days")),
        ] + Self.natsEnvironment + Self.adminEnvironment + Self.tracingEnvironment,
        secretFiles: [
            // The `clickhouse` component's `lurus` user (`Sources/LurusComponents/ClickHouse/`).
            SecretFile(
                fileName: "clickhouse-password",
                secret: "clickhouse/lurus",
                generated: true,
                owner: .clickhouse
            ),
            Self.natsPassword,
        ],
        resources: ContainerResources(cpuRequest: "100m", memoryRequest: "128Mi", cpuLimit: "1", memoryLimit: "512Mi"),
        // The log service drains for a fixed 10 s (`LogService.run`); no setting.
        drainSeconds: 10
    )
}
