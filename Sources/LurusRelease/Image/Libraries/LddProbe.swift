import Subprocess
import SystemPackage

/// Runs `ldd` on a local binary: the one piece of I/O in choosing a service image's files.
public enum LddProbe {
    /// What `ldd binary` prints. ldd runs the loader on the binary, so give it only binaries built here.
    ///
    /// A static binary makes ldd exit 1 with `not a dynamic executable`: that output is returned as it is.
    public static func output(for binary: FilePath) async throws -> String {
        let result: ExecutionResult<Void, StringOutput<UTF8>, StringOutput<UTF8>>
        do {
            result = try await Subprocess.run(
                .path("/usr/bin/ldd"),
                arguments: [binary.string],
                output: .string(limit: 1 << 20),
                error: .string(limit: 1 << 20)
            )
        } catch {
            throw OCIImageError.lddFailed(binary: binary, reason: "could not run /usr/bin/ldd: \(error)")
        }
        let output = result.standardOutput + result.standardError
        if result.terminationStatus.isSuccess || output.contains("not a dynamic executable") { return output }
        let said = output.split(separator: "\n").last.map(String.init) ?? "no output"
        throw OCIImageError.lddFailed(binary: binary, reason: "ldd ended with \(result.terminationStatus): \(said)")
    }

    /// The image's files for `binary` at `imagePath`: ldd run here, then `ServiceImageFiles.files`.
    public static func serviceImageFiles(binary: FilePath, at imagePath: String) async throws -> [ImageFile] {
        try ServiceImageFiles.files(binary: binary, at: imagePath, lddOutput: try await Self.output(for: binary))
    }
}
