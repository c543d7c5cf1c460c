import LurusInventory
import LurusRemote

/// The kubectl commands of a K3s rollout, as argv values for the K3s server node, run with K3s's own
/// kubectl (`k3s kubectl`, which reads the server's admin kubeconfig). No I/O: the runner sends them.
///
/// Manifests go on standard input (`-f -`), never in a file or an argument, since their Secrets hold
/// values (`ManifestBundle.applyInput`).
public struct KubectlCommands: Sendable, Hashable {
    public var namespace: String

    public init(namespace: String = ServiceCatalog.kubernetesNamespace) {
        self.namespace = namespace
    }

    /// The node these commands run on: the K3s server.
    public static func node(in inventory: Inventory) -> Node? {
        inventory.nodes.first { $0.components.contains(.k3sServer) }
    }

    static let kubectl = ["k3s", "kubectl"]

    /// Applies the manifests on standard input, server-side under lurusctl's field manager: a field the
    /// manifests stop setting (a Deployment's `replicas` once an HPA owns it) is let go, not reset, and
    /// lurusctl wins conflicts over what it sets.
    public var apply: ShellCommand {
        ShellCommand(
            Self.kubectl + ["apply", "--server-side", "--field-manager=lurusctl", "--force-conflicts", "-f", "-"]
        )
    }

    /// The same apply checked by the API server (admission, schemas) without changing anything.
    public var applyDryRun: ShellCommand {
        ShellCommand(
            Self.kubectl + [
                "apply", "--server-side", "--field-manager=lurusctl", "--force-conflicts", "--dry-run=server", "-f",
                "-",
            ]
        )
    }

    /// `apply` with the filled manifests as its standard input.
    public func apply(_ input: ManifestApplyInput, timeout: Duration = .seconds(120)) -> RemoteCommand {
        RemoteCommand(self.apply, input: .bytes(input.bytes), timeout: timeout)
    }

    /// The pods of `service` as JSON, for `RolloutVerdict.decide`.
    public func pods(of service: String) -> ShellCommand {
        ShellCommand(Self.kubectl + ["get", "pods", "-n", self.namespace, "-l", "app=\(service)", "-o", "json"])
    }

    /// The namespace's pod events as JSON, quoted in a failed verdict.
    public var events: ShellCommand {
        ShellCommand(
            Self.kubectl + [
                "get", "events", "-n", self.namespace, "--field-selector", "involvedObject.kind=Pod", "-o", "json",
            ]
        )
    }

    /// Whether the Deployment's rollout has finished, once (no watch): the runner polls `pods` for the
    /// verdict, and this for Kubernetes's own (it fails on ProgressDeadlineExceeded).
    public func rolloutStatus(of service: String) -> ShellCommand {
        ShellCommand(
            Self.kubectl + ["rollout", "status", "deployment/\(service)", "-n", self.namespace, "--watch=false"]
        )
    }

    /// The last lines a crashed container wrote before its last restart, quoted in a CrashLoopBackOff report.
    public func previousLog(of pod: String, container: String, lines: Int = 50) -> ShellCommand {
        ShellCommand(
            Self.kubectl + [
                "logs", "-n", self.namespace, pod, "-c", container, "--previous", "--tail=\(lines)",
            ]
        )
    }

    /// Marks `service`'s Deployment as serving `deployment`, with `previous` where a rollback goes (an empty
    /// value when there is none). Metadata only: no rollout starts.
    public func annotate(_ service: String, serving deployment: String, previous: String?) -> ShellCommand {
        ShellCommand(
            Self.kubectl + [
                "annotate", "deployment/\(service)", "-n", self.namespace, "--overwrite",
                "\(ClusterObservation.deploymentAnnotation)=\(deployment)",
                "\(ClusterObservation.previousAnnotation)=\(previous ?? "")",
            ]
        )
    }

    /// Deletes `objects` (`Kind/NAME`) of the namespace; one already gone is not an error.
    public func delete(_ objects: [String]) -> ShellCommand {
        ShellCommand(Self.kubectl + ["delete", "-n", self.namespace, "--ignore-not-found"] + objects)
    }
}
