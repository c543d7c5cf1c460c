import Foundation
import LurusInventory
import LurusRemote

/// The object store as lurusctl reaches it: through a node (the control machine may not reach the mesh),
/// one `store.sh` run per request. Small objects only (manifests, listings); dumps stream on the nodes.
public struct NodeStore: Sendable {
    public var scripts: BackupScripts
    public var node: Node
    public var transport: any NodeTransport

    public init(scripts: BackupScripts, node: Node, transport: any NodeTransport) {
        self.scripts = scripts
        self.node = node
        self.transport = transport
    }

    /// Every key under `prefix`, page by page.
    public func keys(under prefix: String) async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var items = [("list-type", "2"), ("prefix", prefix)]
            if let token { items.append(("continuation-token", token)) }
            let page = ListingXML.objects(try await self.text(["list", QueryEncoding.query(items)]))
            keys += page.keys
            token = page.nextToken
        } while token != nil
        return keys
    }

    /// The multipart uploads still open under `prefix`, with the backup each belongs to.
    public func pendingUploads(under prefix: String, layout: BackupLayout) async throws -> [PendingUpload] {
        let xml = try await self.text(["list", QueryEncoding.query([("prefix", prefix), ("uploads", "")])])
        return ListingXML.uploads(xml).map { upload in
            PendingUpload(key: upload.key, uploadID: upload.uploadID, backup: layout.backupID(of: upload.key))
        }
    }

    /// The object at `key`, or nil when there is none.
    public func get(_ key: String) async throws -> [UInt8]? {
        let result = try await self.run(["get", key], input: [], allowing: [3])
        return result.outcome == .exited(3) ? nil : result.stdout
    }

    /// Stores `bytes` at `key` with their SHA-256 checked by the server.
    public func put(_ key: String, _ bytes: [UInt8]) async throws {
        _ = try await self.run(["put", key], input: bytes)
    }

    public func delete(_ keys: [String]) async throws {
        // A few hundred keys per run keep the command line short.
        for start in stride(from: 0, to: keys.count, by: 200) {
            _ = try await self.run(["delete"] + keys[start..<min(start + 200, keys.count)], input: [])
        }
    }

    public func abort(_ upload: PendingUpload) async throws {
        _ = try await self.run(["abort", upload.key, QueryEncoding.encode(upload.uploadID)], input: [])
    }

    func text(_ arguments: [String]) async throws -> String {
        String(decoding: try await self.run(arguments, input: []).stdout, as: UTF8.self)
    }

    func run(_ arguments: [String], input: [UInt8], allowing: [Int32] = []) async throws -> CommandResult {
        let command = try self.scripts.command(["store"], arguments, input: input, timeout: .seconds(120))
        let result = try await self.transport.run(command, on: self.node)
        if result.succeeded { return result }
        if case .exited(let status) = result.outcome, allowing.contains(status) { return result }
        throw BackupError(
            "the object store, from \(self.node.name): \(Self.firstLine(result.stderr) ?? "\(result.outcome)")",
            fix: "check backup.destination and that \(self.scripts.target.endpoint) answers from \(self.node.name)"
        )
    }

    static func firstLine(_ bytes: [UInt8]) -> String? {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init)
    }
}
