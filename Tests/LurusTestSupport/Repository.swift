import Foundation

/// Where the repository and the built `lurusctl` are, for tests that run real files and processes.
public enum Repository {
    /// The repository root (this file is `Tests/LurusTestSupport/Repository.swift`).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// The `lurusctl` binary built beside the test bundle (or `LURUSCTL_BIN`).
    public static var lurusctl: String {
        if let override = ProcessInfo.processInfo.environment["LURUSCTL_BIN"] { return override }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("lurusctl").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return root.appendingPathComponent(".build/debug/lurusctl").path
    }
}
