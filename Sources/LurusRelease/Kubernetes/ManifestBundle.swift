import Foundation
import LurusEngine

/// The manifests of a release as one multi-document YAML, in apply order, with no secret value in it.
///
/// A Secret's values are slots (`"@lurus-secret:NAME@"`) that `applyInput(secrets:)` fills with base64 in
/// memory just before the bytes go to `k3s kubectl apply -f -` on standard input. So this value can be
/// shown, logged, diffed and kept as a golden file, and the values reach the node only through kubectl's
/// standard input, never a command line or a file.
public struct ManifestBundle: Sendable, Hashable, CustomStringConvertible {
    public var documents: [ManifestDocument]

    public init(documents: [ManifestDocument]) {
        self.documents = documents
    }

    /// Every document, separated by `---`.
    public var text: String {
        self.documents.map(\.text).joined(separator: "---\n")
    }

    public var description: String { self.text }

    /// The secrets the slots name, each once, in order.
    public var secretNames: [String] {
        var names: [String] = []
        for document in self.documents {
            for name in document.secretSlots where !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The slot a Secret's data holds in place of the value of `secret`, quoted as it appears.
    public static func slot(for secret: String) -> String { "\"@lurus-secret:\(secret)@\"" }

    /// The bundle with every slot filled with its secret's value in base64, for kubectl's standard input.
    public func applyInput(secrets: [String: Secret]) throws(KubernetesManifestError) -> ManifestApplyInput {
        var text = self.text
        for name in self.secretNames {
            guard let secret = secrets[name] else {
                throw KubernetesManifestError(
                    service: nil,
                    "the manifests need the secret \(name), which was not resolved",
                    hint: "this is a bug in lurusctl; please report it"
                )
            }
            text = text.replacingOccurrences(
                of: Self.slot(for: name),
                with: "\"" + Data(secret.bytes).base64EncodedString() + "\""
            )
        }
        return ManifestApplyInput(bytes: Array(text.utf8), secretCount: self.secretNames.count)
    }
}

/// One manifest: its kind and name, and its YAML.
public struct ManifestDocument: Codable, Sendable, Hashable {
    public var kind: String
    public var name: String
    public var text: String
    /// Secrets whose slots the text holds (a Secret's).
    public var secretSlots: [String]

    public init(kind: String, name: String, text: String, secretSlots: [String] = []) {
        self.kind = kind
        self.name = name
        self.text = text
        self.secretSlots = secretSlots
    }
}

/// The manifests with secret values in them: bytes for kubectl's standard input only. It never prints
/// them: its description and reflection say only how many values it holds.
public struct ManifestApplyInput: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let bytes: [UInt8]
    public let secretCount: Int

    public var description: String { "<manifests, \(self.bytes.count) bytes, \(self.secretCount) secret values>" }
    public var debugDescription: String { self.description }
    public var customMirror: Mirror { Mirror(self, children: ["secretCount": self.secretCount], displayStyle: .struct) }
}
