import Foundation
import LurusComponents
import LurusInventory
import LurusRemote

/// Ships and switches releases of the services on one node under the systemd runtime: the I/O half of a
/// deploy. What to do is decided by the pure parts (`SlotDecision`, `ReleaseRetention`); how it is done
/// on the node is in `templates/services/systemd/*.sh`, each run as one command with its values as
/// arguments.
public struct SystemdDeployer: Sendable {
    public var transport: any NodeTransport
    public var templates: TemplateLibrary
    public var settings: DeploySettings
    public var cache: BuildCache

    public init(transport: any NodeTransport, templates: TemplateLibrary, settings: DeploySettings, cache: BuildCache) {
        self.transport = transport
        self.templates = templates
        self.settings = settings
        self.cache = cache
    }

    /// One service to bring to one deployment.
    public struct Target: Sendable, Hashable {
        public var service: ResolvedService
        public var deployment: Deployment
        public var manifest: ReleaseManifest
        public var record: DeploymentRecord

        public init(
            service: ResolvedService,
            deployment: Deployment,
            manifest: ReleaseManifest,
            record: DeploymentRecord
        ) {
            self.service = service
            self.deployment = deployment
            self.manifest = manifest
            self.record = record
        }
    }

    /// What happened to one service on one node.
    public struct Outcome: Sendable, Hashable {
        public enum Result: Sendable, Hashable {
            /// The serving slot already ran the deployment: nothing was done.
            case unchanged
            /// Traffic moved to `slot`, now running the deployment.
            case switched(SystemdLayout.Slot)
            /// K3s: the service's Deployment rolled out to the deployment and its pods are ready.
            case rolledOut
            /// K3s: the node's containerd holds the deployment's image, pinned, with the digest checked.
            case imported
            case failed(ReleaseError)
        }

        public var node: String
        public var service: String
        public var deployment: String
        public var result: Result
        /// Bytes sent to the node for the release (0 when it was there already).
        public var shippedBytes: Int
        public var removed: [String]
        /// SHA-256 of the binary the deployment runs, when known (a deploy; not a rollback), for the audit.
        public var digest: String? = nil

        public var failed: Bool { if case .failed = self.result { true } else { false } }
    }

    /// What `node` has of `services`.
    public func observe(_ services: [String], on node: Node) async throws -> SystemdObservation {
        let script = try self.script("observe")
        let result = try await self.transport.run(
            RemoteCommand(ShellScript("lurus-observe", script, services).command, timeout: .seconds(30)),
            on: node
        )
        guard result.succeeded else {
            throw ReleaseError(
                "\(node.name): reading the services' state failed (\(result.outcome)): \(Self.text(result.stderr))",
                hint: "see what `lurusctl exec --on \(node.name) -- ls -l /opt/lurus` says"
            )
        }
        return SystemdObservation.parse(String(decoding: result.stdout, as: UTF8.self))
    }

    /// Brings `target`'s service on `node` to its deployment: ship the release if the node lacks it, write
    /// the deployment if new, switch the idle slot to it behind the health gate, prune. Never throws: a
    /// failure is the outcome, with the serving slot untouched.
    public func deploy(
        _ target: Target,
        on node: Node,
        observed: SystemdObservation.Service,
        progress: @Sendable (String) -> Void
    ) async -> Outcome {
        let name = target.deployment.name
        var outcome = Outcome(
            node: node.name,
            service: target.service.name,
            deployment: name,
            result: .unchanged,
            shippedBytes: 0,
            removed: []
        )
        outcome.digest = target.manifest.binary(target.service.definition.executable)?.sha256
        do {
            let decision = SlotDecision.decide(observed.slots, deployment: name)
            if case .unchanged = decision { return outcome }
            if !observed.releases.contains(target.deployment.release) {
                progress("shipping release \(target.deployment.release)")
                outcome.shippedBytes = try await self.ship(target, to: node)
            }
            if observed.deployments[name] == nil {
                try await self.write(target, on: node)
            }
            guard case .switchTo(let slot, let link) = decision else { return outcome }
            progress("starting \(name) in slot \(slot.rawValue)")
            try await self.switchSlot(target.service, to: slot, linking: link ? name : nil, on: node)
            outcome.result = .switched(slot)
            var after = observed
            after.slots.slots[slot] = name
            after.slots.serving = slot
            after.deployments[name] = Date().timeIntervalSince1970
            after.releases.insert(target.deployment.release)
            outcome.removed = try await self.prune(target.service.name, after, on: node)
        } catch {
            outcome.result = .failed(Self.failure(error, on: node, verb: "deploy"))
        }
        return outcome
    }

    /// Moves `service` on `node` to `deployment`, which the node keeps (a rollback): the same switch as a
    /// deploy, to a slot that may already hold it.
    public func switchBack(
        _ service: ResolvedService,
        to deployment: String,
        on node: Node,
        observed: SystemdObservation.Service
    ) async -> Outcome {
        var outcome = Outcome(
            node: node.name,
            service: service.name,
            deployment: deployment,
            result: .unchanged,
            shippedBytes: 0,
            removed: []
        )
        let decision = SlotDecision.decide(observed.slots, deployment: deployment)
        guard case .switchTo(let slot, let link) = decision else { return outcome }
        do {
            try await self.switchSlot(service, to: slot, linking: link ? deployment : nil, on: node)
            outcome.result = .switched(slot)
        } catch {
            outcome.result = .failed(Self.failure(error, on: node, verb: "rollback"))
        }
        return outcome
    }

    /// What a step's error says as an outcome: a `ReleaseError` as it is, a lost node or anything else
    /// named with the node and what to rerun.
    static func failure(_ error: any Error, on node: Node, verb: String) -> ReleaseError {
        switch error {
        case let error as ReleaseError: error
        case let error as RemoteError:
            ReleaseError("\(node.name): \(error.description)", hint: "rerun the \(verb) once the node answers")
        default: ReleaseError("\(node.name): \(error)", hint: "rerun the \(verb)")
        }
    }

    // MARK: Steps

    /// Sends the compressed binary (verified by the upload), then unpacks and checks it on the node.
    func ship(_ target: Target, to node: Node) async throws -> Int {
        let service = target.service
        let executable = service.definition.executable
        let id = target.deployment.release
        guard let binary = target.manifest.binary(executable) else {
            throw ReleaseError(
                "release \(id) has no \(executable)",
                hint: "this is a bug in lurusctl; please report it"
            )
        }
        let layout = SystemdLayout(service: service.name)
        let upload = try await self.transport.upload(
            .file(self.cache.shipped(executable, of: id).path),
            to: "\(layout.releases)/.\(id).upload.gz",
            mode: 0o600,
            owner: nil,
            on: node,
            timeout: .seconds(600)
        )
        let installed = try await self.transport.run(
            RemoteCommand(
                ShellScript(
                    "lurus-install-release",
                    try self.script("install-release"),
                    [service.name, id.value, executable, binary.sha256]
                ).command,
                input: .bytes(target.manifest.encoded()),
                timeout: .seconds(300)
            ),
            on: node
        )
        guard installed.succeeded else {
            throw ReleaseError(
                "\(service.name) on \(node.name): installing release \(id) failed (\(installed.outcome)): \(Self.text(installed.stderr))",
                hint: "check the free space in /opt/lurus on \(node.name), then rerun"
            )
        }
        return upload.bytes
    }

    static let recordSeparator = "--lurus-deployed-json--"

    func write(_ target: Target, on node: Node) async throws {
        let input = target.deployment.environment + "\(Self.recordSeparator)\n" + target.record.encoded() + "\n"
        let result = try await self.transport.run(
            RemoteCommand(
                ShellScript(
                    "lurus-write-deployment",
                    try self.script("write-deployment"),
                    [
                        target.service.name, target.deployment.name, target.deployment.release.value,
                        Self.recordSeparator,
                    ]
                ).command,
                input: .bytes(Array(input.utf8)),
                timeout: .seconds(60)
            ),
            on: node
        )
        guard result.succeeded else {
            throw ReleaseError(
                "\(target.service.name) on \(node.name): writing deployment \(target.deployment.name) failed: \(Self.text(result.stderr))",
                hint: "check /opt/lurus/\(target.service.name) on \(node.name), then rerun"
            )
        }
    }

    func switchSlot(
        _ service: ResolvedService,
        to slot: SystemdLayout.Slot,
        linking deployment: String?,
        on node: Node
    ) async throws {
        let timeout = max(1, Int((self.settings.healthTimeout.milliseconds + 999) / 1000))
        let drain = service.definition.drainSeconds
        let arguments = [
            service.name, slot.rawValue, deployment ?? "",
            String(SystemdFiles.port(of: slot, servicePort: service.port)), service.definition.healthPath,
            String(timeout), String(drain),
        ]
        let result = try await self.transport.run(
            RemoteCommand(
                ShellScript("lurus-switch", try self.script("switch"), arguments).command,
                timeout: .seconds(Int64(timeout + 2 * drain + 60))
            ),
            on: node
        )
        if result.succeeded { return }
        let said = String(decoding: result.stdout, as: UTF8.self)
        if result.outcome == .exited(3), let gate = GateFailure.parse(said) {
            throw ReleaseError(
                "\(service.name) on \(node.name): the new release did not pass its health check (\(service.definition.healthPath) on slot \(slot.rawValue)); "
                    + "it was stopped and traffic stayed on the serving release\n" + gate.description,
                hint:
                    "fix what its log says and deploy again; `lurusctl exec --on \(node.name) -- journalctl -u \(SystemdLayout(service: service.name).unit(slot))` has the whole log"
            )
        }
        throw ReleaseError(
            "\(service.name) on \(node.name): switching to slot \(slot.rawValue) failed (\(result.outcome)): \(Self.text(result.stderr + result.stdout))",
            hint: "check haproxy and \(SystemdLayout(service: service.name).unit(slot)) on \(node.name), then rerun"
        )
    }

    /// Removes what `ReleaseRetention` says, never the serving deployment or the rollback target.
    func prune(_ service: String, _ observed: SystemdObservation.Service, on node: Node) async throws -> [String] {
        let protected = Set([observed.serving, observed.rollbackTarget].compactMap { $0 })
        let (deployments, releases) = ReleaseRetention.prune(
            deployments: observed.deployments,
            releases: observed.releases,
            keep: self.settings.keepReleases,
            protected: protected
        )
        let items = deployments.map { "d:\($0)" } + releases.map { "r:\($0)" }
        guard !items.isEmpty else { return [] }
        let result = try await self.transport.run(
            RemoteCommand(
                ShellScript("lurus-prune", try self.script("prune"), [service] + items).command,
                timeout: .seconds(120)
            ),
            on: node
        )
        guard result.succeeded else {
            throw ReleaseError(
                "\(service) on \(node.name): removing old releases failed: \(Self.text(result.stderr))",
                hint: "the new release serves; remove them by hand or rerun"
            )
        }
        return deployments + releases.map(\.value)
    }

    func script(_ name: String) throws(TemplateError) -> String {
        try self.templates.render("services/systemd/\(name).sh", [:])
    }

    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
