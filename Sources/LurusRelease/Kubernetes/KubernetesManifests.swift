import LurusComponents
import LurusEngine
import LurusInventory

/// The manifests of the K3s runtime for every placed service, rendered from `templates/k3s/services/`.
///
/// Order: the namespace and its default-deny policy, then per service (in catalog order) its ConfigMap,
/// Secret, Service, Deployment, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy and Ingress,
/// so everything a Deployment names exists when it is applied. Pure but for reading no file: the
/// templates are loaded already.
public struct KubernetesManifests: Sendable {
    public var templates: TemplateLibrary
    public var timings: PodTimings

    public init(templates: TemplateLibrary, timings: PodTimings = PodTimings()) {
        self.templates = templates
        self.timings = timings
    }

    /// The bundle for `services` (from `ServiceCatalog.resolve`) with `images` (one per service) and the
    /// values of the secrets they read (`secrets`, by store name), which only name the Secrets and give
    /// the ConfigMaps the SHA-256 of each digested secret.
    public func render(
        _ services: [ResolvedService],
        inventory: Inventory,
        images: [PodImage],
        secrets: [String: Secret]
    ) throws(KubernetesManifestError) -> ManifestBundle {
        let parts = try self.parts(services, inventory: inventory, images: images, secrets: secrets)
        return ManifestBundle(documents: parts.shared + parts.services.flatMap(\.documents))
    }

    /// The bundle's documents as a rollout applies them: those every service shares (the namespace and its
    /// default-deny policy), then each service's own, in catalog order.
    public func parts(
        _ services: [ResolvedService],
        among placed: [ResolvedService]? = nil,
        inventory: Inventory,
        images: [PodImage],
        secrets: [String: Secret]
    ) throws(KubernetesManifestError) -> (
        shared: [ManifestDocument], services: [(service: String, documents: [ManifestDocument])]
    ) {
        let namespace = ServiceCatalog.kubernetesNamespace
        let shared = [
            try self.document("Namespace", namespace, "namespace", ["namespace": namespace]),
            try self.document("NetworkPolicy", "default-deny", "default-deny", ["namespace": namespace]),
        ]
        let cluster = inventory.nodes.filter { node in
            node.components.contains(.k3sServer) || node.components.contains(.k3sAgent)
        }
        var parts: [(service: String, documents: [ManifestDocument])] = []
        for service in services {
            guard let image = images.first(where: { $0.component == service.component }) else {
                throw KubernetesManifestError(
                    service: service.name,
                    "no image was given for \(service.name)",
                    hint: "build the release's images before rendering its manifests"
                )
            }
            parts.append(
                (
                    service.name,
                    try self.documents(
                        of: service,
                        among: placed ?? services,
                        image: image,
                        secrets: secrets,
                        cluster: cluster,
                        inventory: inventory
                    )
                )
            )
        }
        return (shared, parts)
    }

    func documents(
        of service: ResolvedService,
        among services: [ResolvedService],
        image: PodImage,
        secrets: [String: Secret],
        cluster: [Node],
        inventory: Inventory
    ) throws(KubernetesManifestError) -> [ManifestDocument] {
        let name = service.name
        var base: [String: Any] = [
            "service": name,
            "namespace": ServiceCatalog.kubernetesNamespace,
            "labels": Self.labels(of: service).map { ["key": $0.key, "value": YAMLScalar.quoted($0.value)] },
        ]
        let environment: [EnvironmentEntry]
        do {
            environment = try service.environment(with: secrets)
        } catch {
            throw KubernetesManifestError(service: name, error.message, hint: error.hint)
        }
        let configMap = ContentName.configMap("\(name)-env", entries: environment)
        var configValues = base
        configValues["name"] = configMap
        configValues["entries"] = environment.map { ["key": $0.name, "value": YAMLScalar.quoted($0.value)] }
        var documents = [try self.document("ConfigMap", configMap, "configmap", configValues)]

        var secretName: String?
        if !service.secretFiles.isEmpty {
            var files: [(key: String, value: Secret)] = []
            for file in service.secretFiles {
                guard let value = secrets[file.secret] else {
                    throw KubernetesManifestError(
                        service: name,
                        "the secret \(file.secret) (\(file.path)) was not resolved",
                        hint: "resolve every secret of ResolvedService.secretFiles before rendering"
                    )
                }
                files.append((file.fileName, value))
            }
            let secret = ContentName.secret("\(name)-secrets", files: files)
            var secretValues = base
            secretValues["name"] = secret
            secretValues["entries"] = service.secretFiles.map {
                ["key": $0.fileName, "value": ManifestBundle.slot(for: $0.secret)]
            }
            documents.append(
                try self.document("Secret", secret, "secret", secretValues, slots: service.secretFiles.map(\.secret))
            )
            secretName = secret
        }

        base["port"] = service.port
        documents.append(try self.document("Service", name, "service", base))
        documents.append(
            try self.document(
                "Deployment",
                name,
                "deployment",
                self.deploymentValues(
                    service,
                    base: base,
                    image: image,
                    configMap: configMap,
                    secret: secretName,
                    placement: PodPlacement.of(service.nodes, among: cluster)
                )
            )
        )
        if let autoscaling = service.definition.autoscaling {
            var values = base
            values["minimum"] = service.replicas
            values["maximum"] = max(autoscaling.maximumReplicas, service.replicas)
            values["cpu_utilization"] = autoscaling.cpuUtilization
            documents.append(try self.document("HorizontalPodAutoscaler", name, "autoscaler", values))
        }
        documents.append(try self.document("PodDisruptionBudget", name, "disruption-budget", base))
        let rules = try NetworkRules.of(service, among: services, in: inventory)
        documents.append(
            try self.document("NetworkPolicy", name, "network-policy", Self.policyValues(rules, base: base))
        )
        if service.definition.exposure == .ingress {
            var values = base
            let server = inventory.nodes.first { $0.components.contains(.k3sServer) }
            if case .hostname(let host) = server?.address {
                values["host"] = [host]
            } else {
                values["host"] = [String]()
            }
            documents.append(try self.document("Ingress", name, "ingress", values))
        }
        return documents
    }

    /// The labels every object of a service carries; `app` is what selectors and kubectl use.
    static func labels(of service: ResolvedService) -> [(key: String, value: String)] {
        [
            ("app", service.name),
            ("app.kubernetes.io/name", service.name),
            ("app.kubernetes.io/part-of", "lurus"),
            ("app.kubernetes.io/managed-by", "lurusctl"),
        ]
    }

    func deploymentValues(
        _ service: ResolvedService,
        base: [String: Any],
        image: PodImage,
        configMap: String,
        secret: String?,
        placement: PodPlacement
    ) -> [String: Any] {
        let definition = service.definition
        let writable =
            definition.writableDirectories.enumerated().map { index, path in
                ["volume": "writable-\(index)", "path": YAMLScalar.quoted(path)]
            } + [["volume": "tmp", "path": "/tmp"]]
        var values = base
        values["replicas"] = definition.autoscaling == nil ? [service.replicas] : [Int]()
        values["progress_deadline"] = self.timings.progressDeadlineSeconds
        values["grace"] = self.timings.terminationGraceSeconds(drainSeconds: definition.drainSeconds)
        values["has_node_selector"] = !placement.nodeSelector.isEmpty
        values["node_selector"] = placement.nodeSelector.map { ["key": $0.key, "value": YAMLScalar.quoted($0.value)] }
        values["has_hostnames"] = !placement.hostnames.isEmpty
        values["hostnames"] = placement.hostnames.map(YAMLScalar.quoted)
        values["has_tolerations"] = !placement.tolerations.isEmpty
        values["tolerations"] = placement.tolerations.map { taint -> [String: Any] in
            [
                "key": taint.key,
                "operator": taint.value.isEmpty ? "Exists" : "Equal",
                "value": taint.value.isEmpty ? [String]() : [YAMLScalar.quoted(taint.value)],
                "effect": taint.effect.rawValue,
            ]
        }
        values["image"] = image.reference
        values["config_map"] = configMap
        values["cpu_request"] = YAMLScalar.quoted(definition.resources.cpuRequest)
        values["memory_request"] = YAMLScalar.quoted(definition.resources.memoryRequest)
        values["cpu_limit"] = YAMLScalar.quoted(definition.resources.cpuLimit)
        values["memory_limit"] = YAMLScalar.quoted(definition.resources.memoryLimit)
        values["health_path"] = YAMLScalar.quoted(definition.healthPath)
        values["probe_timeout"] = self.timings.probeTimeoutSeconds
        values["startup_failures"] = self.timings.startupFailureThreshold
        values["readiness_period"] = self.timings.readinessPeriodSeconds
        values["readiness_failures"] = self.timings.readinessFailureThreshold
        values["liveness_period"] = self.timings.livenessPeriodSeconds
        values["liveness_failures"] = self.timings.livenessFailureThreshold
        values["pre_stop"] = self.timings.preStopSeconds
        values["has_mounts"] = true
        values["secret"] = secret.map { [["name": $0, "directory": YAMLScalar.quoted(service.secretDirectory)]] } ?? []
        values["writable"] = writable
        return values
    }

    /// The network policy's rules as the template reads them: every key set in every item, so that no
    /// lookup falls through to the outer context.
    static func policyValues(_ rules: NetworkRules, base: [String: Any]) -> [String: Any] {
        var values = base
        values["has_ingress"] = !rules.ingress.isEmpty
        values["ingress"] = rules.ingress.map { rule -> [String: Any] in
            switch rule.source {
            case .ingressController:
                [
                    "comment": "from the ingress controller", "ingress_controller": true, "service": [String](),
                    "port": rule.port,
                ]
            case .service(let name):
                ["comment": "from \(name)", "ingress_controller": false, "service": [name], "port": rule.port]
            }
        }
        values["egress"] = rules.egress.map { rule -> [String: Any] in
            var item: [String: Any] = [
                "dns": false, "service": [String](), "blocks": [String](), "protocols": ["TCP"], "port": rule.port,
            ]
            switch rule.destination {
            case .dns:
                item["comment"] = "cluster DNS"
                item["dns"] = true
                item["protocols"] = ["UDP", "TCP"]
            case .service(let name):
                item["comment"] = "to \(name)"
                item["service"] = [name]
            case .addresses(let blocks):
                item["comment"] = "to \(rule.peer?.name ?? "peers") on the nodes' network"
                item["blocks"] = blocks.map(YAMLScalar.quoted)
            case .internet:
                item["comment"] = "to the internet"
                item["blocks"] = [YAMLScalar.quoted("0.0.0.0/0"), YAMLScalar.quoted("::/0")]
            }
            return item
        }
        return values
    }

    func document(
        _ kind: String,
        _ name: String,
        _ template: String,
        _ values: [String: Any],
        slots: [String] = []
    ) throws(KubernetesManifestError) -> ManifestDocument {
        do {
            let text = try self.templates.render("k3s/services/\(template).yaml", values)
            return ManifestDocument(kind: kind, name: name, text: text, secretSlots: slots)
        } catch {
            throw KubernetesManifestError(service: nil, error.message, hint: error.hint)
        }
    }
}
