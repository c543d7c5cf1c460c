import Crypto
import Foundation
import LurusInventory

/// A release's name, derived from what makes the build: the same sources, package pins, configuration and
/// toolchain give the same id, so an unchanged deploy is recognised before anything is built or copied.
public struct ReleaseID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 12 lowercase hex digits (48 bits of a SHA-256).
    public let value: String

    public var description: String { self.value }

    public init?(_ value: String) {
        guard value.count == 12, value.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        self.value = value
    }

    public static func < (lhs: ReleaseID, rhs: ReleaseID) -> Bool { lhs.value < rhs.value }

    /// How a build is made: part of the id, since a debug and a release build of one tree differ.
    public typealias Configuration = DeploySettings.Build

    /// One input file: its path relative to the package and the SHA-256 of its bytes.
    public struct Input: Sendable, Hashable {
        public var path: String
        public var digest: [UInt8]

        public init(path: String, digest: [UInt8]) {
            self.path = path
            self.digest = digest
        }
    }

    /// The id of a build of `inputs` (any order) with `configuration` by `toolchain` (what `swift
    /// --version` prints). Each input counts by path and content, so a rename is a change too.
    public static func of(_ inputs: [Input], configuration: Configuration, toolchain: String) -> ReleaseID {
        var hash = SHA256()
        hash.update(data: Data("lurus-release 1\n\(configuration.rawValue)\n\(toolchain)\n".utf8))
        for input in inputs.sorted(by: { $0.path < $1.path }) {
            hash.update(data: Data("\(input.path)\0".utf8))
            hash.update(data: input.digest)
        }
        let hex = SHA256Digest(hash.finalize()).hex
        return ReleaseID(String(hex.prefix(12)))!
    }
}
