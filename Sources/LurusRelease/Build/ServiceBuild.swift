import Crypto
import Foundation
import LurusInventory
import Subprocess
import SystemPackage

/// Builds the services package on the control machine, once per release id: `swift build` with the Swift
/// runtime linked statically (the binaries then need only the nodes' libc, libstdc++ and zlib), stripped,
/// and gzip-compressed for the trip. An id already in the cache is returned without building.
public struct ServiceBuild: Sendable {
    /// The services package (`services/` of the repository).
    public var package: URL
    public var configuration: DeploySettings.Build
    public var cache: BuildCache
    /// The executables to build (`lurus-gateway`, ...).
    public var executables: [String]

    public init(package: URL, configuration: DeploySettings.Build, cache: BuildCache, executables: [String]) {
        self.package = package
        self.configuration = configuration
        self.cache = cache
        self.executables = executables
    }

    /// A release ready to ship: its id and manifest, with where its files are.
    public struct Built: Sendable, Hashable {
        public var id: ReleaseID
        public var manifest: ReleaseManifest
        /// Whether this call compiled it (false: it came from the cache).
        public var compiled: Bool
        /// The repository's commit now (`-dirty` with changes): what a deployment records it came from.
        /// The manifest keeps the commit the cached release was first built at (the same sources).
        public var commit: String?
    }

    /// The release id of the package as it is now, without building.
    public func identify() async throws(ReleaseError) -> (id: ReleaseID, toolchain: String) {
        let toolchain = try await Self.toolchain()
        let inputs = try BuildInputs.read(package: self.package)
        return (ReleaseID.of(inputs, configuration: self.configuration, toolchain: toolchain), toolchain)
    }

    /// The release as it would be built now, without building: from the cache when it is there, else a
    /// manifest with no binaries (`plan` shows what a deploy would do with it).
    public func lookup() async throws(ReleaseError) -> Built {
        let (id, toolchain) = try await self.identify()
        let commit = await Self.commit(of: self.package)
        if let manifest = self.cached(id) {
            return Built(id: id, manifest: manifest, compiled: false, commit: commit)
        }
        let manifest = ReleaseManifest(
            id: id.value,
            configuration: self.configuration.rawValue,
            toolchain: toolchain,
            commit: commit,
            builtAt: 0,
            binaries: []
        )
        return Built(id: id, manifest: manifest, compiled: false, commit: commit)
    }

    func cached(_ id: ReleaseID) -> ReleaseManifest? {
        guard let data = FileManager.default.contents(atPath: self.cache.manifest(of: id).path),
            let manifest = ReleaseManifest.decode(Array(data)),
            self.executables.allSatisfy({ manifest.binary($0) != nil })
        else { return nil }
        return manifest
    }

    /// The release, from the cache or built now. `progress` hears what is being done.
    public func build(progress: @Sendable (String) -> Void = { _ in }) async throws(ReleaseError) -> Built {
        let (id, toolchain) = try await self.identify()
        if let manifest = self.cached(id) {
            return Built(id: id, manifest: manifest, compiled: false, commit: await Self.commit(of: self.package))
        }
        let scratch = self.cache.scratch(self.configuration)
        let log = scratch.appendingPathComponent("lurusctl-build.log")
        try self.makeDirectory(scratch)
        try SourceMirror.sync(self.package, to: self.cache.source)
        var binaries: [ReleaseManifest.Binary] = []
        let staging = self.cache.root.appendingPathComponent("releases/.\(id).\(getpid())")
        try? FileManager.default.removeItem(at: staging)
        try self.makeDirectory(staging.appendingPathComponent("bin"))
        try self.makeDirectory(staging.appendingPathComponent("ship"))
        for executable in self.executables {
            progress("building \(executable) (\(self.configuration.rawValue), release \(id))")
            try await self.compile(executable, scratch: scratch, log: log)
            let built = scratch.appendingPathComponent("\(self.configuration.rawValue)/\(executable)")
            let binary = staging.appendingPathComponent("bin/\(executable)")
            let shipped = staging.appendingPathComponent("ship/\(executable).gz")
            try await Self.tool(
                "strip",
                ["--strip-debug", "-o", binary.path, built.path],
                what: "strip \(executable)"
            )
            try await Self.tool(
                "/bin/sh",
                ["-c", "gzip -6 -n -c < \"$1\" > \"$2\"", "gzip", binary.path, shipped.path],
                what: "compress \(executable)"
            )
            let (binaryDigest, binaryBytes) = try Self.digest(of: binary)
            let (shippedDigest, shippedBytes) = try Self.digest(of: shipped)
            binaries.append(
                ReleaseManifest.Binary(
                    executable: executable,
                    sha256: binaryDigest,
                    bytes: binaryBytes,
                    shippedSHA256: shippedDigest,
                    shippedBytes: shippedBytes
                )
            )
        }
        let manifest = ReleaseManifest(
            id: id.value,
            configuration: self.configuration.rawValue,
            toolchain: toolchain,
            commit: await Self.commit(of: self.package),
            builtAt: Date().timeIntervalSince1970,
            binaries: binaries
        )
        let written = FileManager.default.createFile(
            atPath: staging.appendingPathComponent("release.json").path,
            contents: Data(manifest.encoded())
        )
        guard written else { throw ReleaseError("cannot write into \(staging.path)", hint: "check its permissions") }
        let final = self.cache.release(id)
        try? FileManager.default.removeItem(at: final)
        guard rename(staging.path, final.path) == 0 else {
            throw ReleaseError(
                "cannot move the built release to \(final.path): \(String(cString: strerror(errno)))",
                hint: "check the build cache's permissions (LURUS_BUILD_CACHE)"
            )
        }
        return Built(id: id, manifest: manifest, compiled: true, commit: manifest.commit)
    }

    /// `swift build` of one product; its output goes to `log`, and a failure says the compiler's errors.
    private func compile(_ executable: String, scratch: URL, log: URL) async throws(ReleaseError) {
        let arguments = [
            "build", "--package-path", self.cache.source.path, "--scratch-path", scratch.path,
            "-c", self.configuration.rawValue, "--static-swift-stdlib", "--product", executable,
        ]
        guard FileManager.default.createFile(atPath: log.path, contents: nil),
            let handle = try? FileDescriptor.open(FilePath(log.path), .writeOnly)
        else { throw ReleaseError("cannot write \(log.path)", hint: "check the build cache's permissions") }
        let status: TerminationStatus
        do {
            status = try await Subprocess.run(
                .name("swift"),
                arguments: Arguments(arguments),
                output: .fileDescriptor(handle, closeAfterSpawningProcess: true),
                error: .combinedWithOutput
            ).terminationStatus
        } catch {
            throw ReleaseError("could not run swift build: \(error)", hint: "is the Swift toolchain on PATH?")
        }
        guard status.isSuccess else {
            let output = (FileManager.default.contents(atPath: log.path)).map { String(decoding: $0, as: UTF8.self) }
            throw ReleaseError(
                "the build of \(executable) failed (\(status)):\n"
                    + Self.errors(in: output ?? "").replacingOccurrences(
                        of: self.cache.source.path,
                        with: self.package.path
                    ),
                hint: "fix the services package; the whole output is in \(log.path); nothing was shipped"
            )
        }
    }

    /// The compiler's error lines, else the output's last lines.
    static func errors(in output: String) -> String {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: true)
        let errors = lines.filter { $0.contains("error:") }
        let shown = errors.isEmpty ? Array(lines.suffix(15)) : Array(errors.prefix(15))
        return shown.map { "  \($0)" }.joined(separator: "\n")
    }

    private func makeDirectory(_ url: URL) throws(ReleaseError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ReleaseError(
                "cannot create \(url.path)",
                hint: "check the build cache's permissions (LURUS_BUILD_CACHE)"
            )
        }
    }

    /// The first line of `swift --version`.
    static func toolchain() async throws(ReleaseError) -> String {
        let output: String?
        do {
            output = try await Subprocess.run(
                .name("swift"),
                arguments: ["--version"],
                output: .string(limit: 1 << 16),
                error: .combinedWithOutput
            ).standardOutput
        } catch {
            throw ReleaseError("could not run swift --version: \(error)", hint: "is the Swift toolchain on PATH?")
        }
        guard let line = output?.split(separator: "\n").first(where: { $0.contains("version") }) else {
            throw ReleaseError("swift --version said no version", hint: "is the Swift toolchain on PATH?")
        }
        return String(line)
    }

    /// The repository's commit, `-dirty` when it has uncommitted changes; nil outside a git checkout.
    static func commit(of directory: URL) async -> String? {
        let script =
            "cd \"$1\" && c=$(git rev-parse --short=12 HEAD) && "
            + "if [ -n \"$(git status --porcelain -- . 2>/dev/null)\" ]; then echo \"$c-dirty\"; else echo \"$c\"; fi"
        guard
            let result = try? await Subprocess.run(
                .path("/bin/sh"),
                arguments: ["-c", script, "commit", directory.path],
                output: .string(limit: 4096),
                error: .discarded
            ), result.terminationStatus.isSuccess
        else { return nil }
        let commit = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.isEmpty ? nil : commit
    }

    private static func tool(_ name: String, _ arguments: [String], what: String) async throws(ReleaseError) {
        let result: ExecutionResult<Void, StringOutput<UTF8>, StringOutput<UTF8>>
        do {
            result = try await Subprocess.run(
                name.hasPrefix("/") ? .path(FilePath(name)) : .name(name),
                arguments: Arguments(arguments),
                output: .string(limit: 1 << 16),
                error: .string(limit: 1 << 16)
            )
        } catch {
            throw ReleaseError("could not \(what): \(error)", hint: "install binutils and gzip on this machine")
        }
        guard result.terminationStatus.isSuccess else {
            throw ReleaseError(
                "could not \(what): \(result.standardError)",
                hint: "install binutils and gzip on this machine"
            )
        }
    }

    /// SHA-256 (hex) and size of a file, read in pieces.
    static func digest(of url: URL) throws(ReleaseError) -> (String, Int) {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw ReleaseError("cannot read \(url.path)", hint: "check the build cache's permissions")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        var bytes = 0
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hash.update(data: chunk)
            bytes += chunk.count
        }
        return (SHA256Digest(hash.finalize()).hex, bytes)
    }
}
