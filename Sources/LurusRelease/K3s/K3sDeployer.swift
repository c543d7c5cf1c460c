import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusRemote

/// The K3s runtime's I/O: reads the server's Deployments and ledger, streams images into each node's
/// containerd and checks them, applies manifests with K3s's kubectl on the server, and polls a rollout to
/// its verdict. Every call has a deadline; what a step decides is in `RolloutVerdict`, `ContainerdImages`
/// and `K3sRolloutPlan`, not here.
public struct K3sDeployer: Sendable {
    public var transport: any NodeTransport
    public var templates: TemplateLibrary
    public var settings: DeploySettings
    public var cache: BuildCache
    /// The K3s server: where kubectl runs.
    public var server: Node
    public var kubectl = KubectlCommands()
    /// How often a rollout is polled.
    public var pollInterval: Duration = .seconds(1)

    public init(
        transport: any NodeTransport,
        templates: TemplateLibrary,
        settings: DeploySettings,
        cache: BuildCache,
        server: Node
    ) {
        self.transport = transport
        self.templates = templates
        self.settings = settings
        self.cache = cache
        self.server = server
    }

    var namespace: String { self.kubectl.namespace }

    /// The server's Deployments and ledger, in one command.
    public func observeCluster() async throws -> ClusterObservation {
        let result = try await self.run(
            ShellScript("lurus-k3s-observe", try self.script("observe"), [self.namespace]).command,
            on: self.server,
            timeout: .seconds(30),
            doing: "reading the services' Deployments and ledger"
        )
        do {
            return try ClusterObservation.parse(result.stdout)
        } catch {
            throw ReleaseError(
                "\(self.server.name): \(error.description)",
                hint: "run `k3s kubectl get deployments -n \(self.namespace)` there"
            )
        }
    }

    /// What `node`'s containerd holds of lurusctl's images.
    public func observeImages(on node: Node) async throws -> ContainerdImages {
        let result = try await self.run(
            ContainerdImages.list,
            on: node,
            timeout: .seconds(30),
            doing: "listing containerd's images"
        )
        return ContainerdImages.parse(String(decoding: result.stdout, as: UTF8.self))
    }

    /// Streams `archive` into `node`'s containerd, pins it, and checks that the node now holds its digest,
    /// pinned. Throws naming the node and what containerd holds instead.
    public func importImage(_ archive: ServiceImageArchive, on node: Node) async throws {
        let image = archive.image
        let script = ShellScript(
            "lurus-k3s-import",
            try self.script("import-image"),
            ["\(PodImage.registry)/\(archive.service)", archive.tag, image.reference]
        )
        // 100 MB over a slow link, and containerd unpacking it: minutes, not hours.
        let result = try await self.run(
            RemoteCommand(script.command, input: .file(archive.path), timeout: .seconds(600)),
            on: node,
            doing: "importing the image of \(archive.service)"
        )
        try Self.verify(image, in: ContainerdImages.parse(String(decoding: result.stdout, as: UTF8.self)), on: node)
    }

    /// Pins the refs of `image` that `node` holds unpinned.
    public func pin(_ image: PodImage, _ held: ContainerdImages, on node: Node) async throws {
        for row in held.rows(of: image) where !row.pinned {
            _ = try await self.run(
                ContainerdImages.pin(row.reference),
                on: node,
                timeout: .seconds(30),
                doing: "pinning \(row.reference)"
            )
        }
    }

    /// Removes `references` from `node`'s containerd (images of deployments no longer kept).
    public func removeImages(_ references: [String], on node: Node) async throws {
        guard !references.isEmpty else { return }
        _ = try await self.run(
            ContainerdImages.remove(references),
            on: node,
            timeout: .seconds(60),
            doing: "removing images no deployment keeps"
        )
    }

    /// That `images` (what the node listed after the import) holds `image` pinned.
    static func verify(_ image: PodImage, in images: ContainerdImages, on node: Node) throws {
        switch images.state(of: image) {
        case .pinned: return
        case .unpinned:
            throw ReleaseError(
                "\(node.name): \(image) was imported but is not pinned (\(ContainerdImages.pinLabel))",
                hint: "the kubelet may collect it; check `k3s ctr -n k8s.io images label` works there"
            )
        case .missing:
            let held = images.digests(of: image.component.name).sorted()
            throw ReleaseError(
                "\(node.name): after the import containerd does not hold \(image)"
                    + (held.isEmpty ? "" : " (it holds \(held.joined(separator: ", ")))"),
                hint: "the archive's digest and containerd's disagree: compare `k3s ctr -n k8s.io images ls | grep "
                    + "\(PodImage.registry)/\(image.component.name)` there with `lurusctl releases`"
            )
        }
    }

    /// Applies `documents` (slots filled from `secrets`) with K3s's kubectl on the server, on standard input.
    public func apply(_ documents: [ManifestDocument], secrets: [String: Secret]) async throws {
        let input = try ManifestBundle(documents: documents).applyInput(secrets: secrets)
        _ = try await self.run(
            self.kubectl.apply(input),
            on: self.server,
            doing: "applying \(documents.count) manifests"
        )
    }

    /// Records `entry` in the ledger and marks its Deployment as serving it, with `previous` as where a
    /// rollback goes. Annotations are Deployment metadata: no rollout starts.
    public func record(_ entry: LedgerEntry, previous: String?) async throws {
        _ = try await self.run(
            RemoteCommand(
                self.kubectl.apply,
                input: .bytes(entry.configMap(namespace: self.namespace)),
                timeout: .seconds(60)
            ),
            on: self.server,
            doing: "recording \(entry.deployment) in the ledger"
        )
        _ = try await self.run(
            self.kubectl.annotate(entry.service, serving: entry.deployment, previous: previous),
            on: self.server,
            timeout: .seconds(30),
            doing: "marking \(entry.service) as serving \(entry.deployment)"
        )
    }

    /// Deletes ledger entries and the hash-named objects only they named.
    public func delete(_ objects: [String]) async throws {
        guard !objects.isEmpty else { return }
        _ = try await self.run(
            self.kubectl.delete(objects),
            on: self.server,
            timeout: .seconds(60),
            doing: "deleting \(objects.count) objects no kept deployment names"
        )
    }

    /// How a watched rollout ended.
    public enum WatchResult: Sendable, Hashable {
        case ready
        case failed(RolloutFailure, log: [String])
        /// The deadline passed while it was still progressing; says what it waited for.
        case timedOut(String)
    }

    /// Polls `target`'s pods until the verdict is ready or failed, or `deadline` passes. A failure brings the
    /// pod's last log lines; ready is confirmed by `rollout status`.
    public func watch(_ target: RolloutTarget, deadline: Duration) async throws -> WatchResult {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        var waiting = "no poll yet"
        while clock.now < end {
            try Task.checkCancellation()
            let result = try await self.run(
                ShellScript("lurus-k3s-rollout", try self.script("rollout-state"), [self.namespace, target.service])
                    .command,
                on: self.server,
                timeout: .seconds(30),
                doing: "reading the pods of \(target.service)"
            )
            guard let (pods, events) = ClusterObservation.halves(result.stdout) else {
                throw ReleaseError(
                    "\(self.server.name): the pods' answer has no '\(ClusterObservation.marker)' line",
                    hint: "run `k3s kubectl get pods -n \(self.namespace)` there"
                )
            }
            let verdict: RolloutVerdict
            do {
                verdict = try RolloutVerdict.decide(target, pods: pods, events: events)
            } catch {
                throw ReleaseError(
                    "\(self.server.name): \(error.description)",
                    hint: "run `k3s kubectl get pods -n \(self.namespace) -l app=\(target.service)` there"
                )
            }
            switch verdict {
            case .ready:
                let status = try await self.transport.run(
                    RemoteCommand(self.kubectl.rolloutStatus(of: target.service), timeout: .seconds(30)),
                    on: self.server
                )
                if status.succeeded { return .ready }
                waiting = "the pods are ready, `rollout status` says: \(Self.text(status.stdout + status.stderr))"
            case .failed(let failure):
                return .failed(failure, log: await self.log(of: failure))
            case .progressing(let what):
                waiting = what
            }
            try await Task.sleep(for: self.pollInterval)
        }
        return .timedOut(waiting)
    }

    /// The last lines the failed pod's container wrote (before its last restart, for a crash loop).
    func log(of failure: RolloutFailure) async -> [String] {
        guard failure.reason == .crashLoopBackOff || failure.reason == .oomKilled else { return [] }
        let command = self.kubectl.previousLog(of: failure.pod, container: failure.service, lines: 20)
        guard
            let result = try? await self.transport.run(RemoteCommand(command, timeout: .seconds(30)), on: self.server),
            result.succeeded
        else { return [] }
        return Self.text(result.stdout).split(separator: "\n").suffix(20).map(String.init)
    }

    func script(_ name: String) throws(TemplateError) -> String {
        try self.templates.render("services/k3s/\(name).sh", [:])
    }

    func run(
        _ command: ShellCommand,
        on node: Node,
        timeout: Duration,
        doing what: String
    ) async throws -> CommandResult {
        try await self.run(RemoteCommand(command, timeout: timeout), on: node, doing: what)
    }

    /// Runs `command`; a command that ran and failed is an error naming the node, what it was doing and what
    /// it printed.
    func run(_ command: RemoteCommand, on node: Node, doing what: String) async throws -> CommandResult {
        let result = try await self.transport.run(command, on: node)
        guard result.succeeded else {
            throw ReleaseError(
                "\(node.name): \(what) failed (\(result.outcome)): \(Self.text(result.stderr + result.stdout))",
                hint: "nothing after this step was done; fix what it says and deploy again"
            )
        }
        return result
    }

    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension ContainerdImages {
    static let ctr = ["k3s", "ctr", "-n", "k8s.io", "images"]

    /// Lists the images of the kubelet's namespace.
    public static var list: ShellCommand { ShellCommand(Self.ctr + ["ls"]) }

    /// Pins `reference`.
    public static func pin(_ reference: String) -> ShellCommand {
        ShellCommand(Self.ctr + ["label", reference, "\(Self.pinLabel)=pinned"])
    }

    /// Removes `references` (their content goes once nothing else names it).
    public static func remove(_ references: [String]) -> ShellCommand {
        ShellCommand(Self.ctr + ["rm"] + references)
    }
}
