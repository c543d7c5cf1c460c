import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

@testable import LurusRelease

/// The kubectl commands of a rollout, as the K3s server's shell gets them.
@Suite struct KubectlCommandsTests {
    let commands = KubectlCommands()

    @Test func applyReadsTheManifestsFromStandardInput() {
        #expect(
            self.commands.apply.description
                == "k3s kubectl apply --server-side --field-manager=lurusctl --force-conflicts -f -"
        )
        #expect(
            self.commands.applyDryRun.description
                == "k3s kubectl apply --server-side --field-manager=lurusctl --force-conflicts --dry-run=server -f -"
        )
    }

    @Test func theApplyCommandCarriesTheFilledManifestsAsInputOnly() {
        let input = ManifestApplyInput(bytes: Array("kind: Secret\ndata:\n  a: \"c2VjcmV0\"\n".utf8), secretCount: 1)
        let remote = self.commands.apply(input)
        #expect(String(decoding: remote.line, as: UTF8.self) == self.commands.apply.description)
        guard case .bytes(let bytes) = remote.input else {
            Issue.record("the manifests go as bytes")
            return
        }
        #expect(bytes == input.bytes)
        #expect("\(input)" == "<manifests, \(input.bytes.count) bytes, 1 secret values>")
    }

    @Test func watchingAServiceReadsItsPodsAndEventsAsJSON() {
        #expect(self.commands.pods(of: "gateway").description == "k3s kubectl get pods -n lurus -l app=gateway -o json")
        #expect(
            self.commands.events.description
                == "k3s kubectl get events -n lurus --field-selector involvedObject.kind=Pod -o json"
        )
        #expect(
            self.commands.rolloutStatus(of: "gateway").description
                == "k3s kubectl rollout status deployment/gateway -n lurus --watch=false"
        )
        #expect(
            self.commands.previousLog(of: "gateway-5c9d7f6b8d-k2x9p", container: "gateway").description
                == "k3s kubectl logs -n lurus gateway-5c9d7f6b8d-k2x9p -c gateway --previous --tail=50"
        )
    }

    @Test func aHostileNameStaysOneArgument() {
        let command = self.commands.pods(of: "x; rm -rf /")
        #expect(command.description == "k3s kubectl get pods -n lurus -l 'app=x; rm -rf /' -o json")
    }

    @Test func theyRunOnTheK3sServer() throws {
        let inventory = try InventoryLoader.load(path: Repository.path("inventory/lurus.yaml")).inventory
        #expect(KubectlCommands.node(in: inventory)?.name == "brain")
        let lab = try InventoryLoader.load(path: Repository.path("inventory/lab.yaml")).inventory
        #expect(KubectlCommands.node(in: lab) == nil)
    }
}
