import Foundation
import LurusEngine
import LurusRemote
import Testing

@testable import LurusComponents

/// Units as text for golden files: every resource, one per line, with what it holds indented below.
///
/// Sensitive files show only their size, and commands only the size of their stdin, so a golden file never
/// holds a secret. `.contents` is the short form (file contents, directory modes, kernel values, restarts);
/// `.full` adds packages, repositories, downloads, units, accounts and commands with their scripts.
enum UnitDescription {
    enum Detail {
        case contents
        case full
    }

    static func describe(_ units: [WorkUnit], detail: Detail = .full) -> String {
        var lines: [String] = []
        for unit in units {
            lines.append("# \(unit.id) after \(unit.after.map(\.description))")
            if unit.deferred { lines.append("deferred") }
            for notice in unit.notices { lines.append("note: \(notice)") }
            for resource in unit.resources {
                lines.append("\(resource.id)")
                lines += self.contents(of: resource.kind)
                if detail == .full { lines += self.details(of: resource.kind) }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What the short form shows.
    static func contents(of kind: Resource.Kind) -> [String] {
        switch kind {
        case .file(let file):
            return ["  mode \(String(file.mode, radix: 8)) \(file.owner):\(file.group)"] + self.body(of: file)
        case .fileBlock(let block): return block.lines.map { "  | \($0)" }
        case .directory(let directory): return ["  mode \(String(directory.mode, radix: 8))"]
        case .sysctl(let setting): return ["  = \(setting.value)"]
        case .service(let service): return ["  restart on \(service.restartOn.map(\.description))"]
        default: return []
        }
    }

    /// What the full form adds.
    static func details(of kind: Resource.Kind) -> [String] {
        switch kind {
        case .package(let package): return ["  version \(package.version.map { "\($0)*" } ?? "any")"]
        case .aptRepository(let repository):
            let key = repository.signingKey.split(separator: "\n")
            return [
                "  \(repository.uris) \(repository.suites) \(repository.components)",
                "  signing key: \(key.count) lines, checksum \(key.last { $0.hasPrefix("=") } ?? "none")",
            ]
        case .directory(let directory): return ["  owner \(directory.owner):\(directory.group)"]
        case .download(let download):
            return [
                "  \(download.url)", "  sha256 \(download.sha256)",
                "  mode \(String(download.mode, radix: 8)) \(download.owner):\(download.group)",
            ]
        case .systemdUnit(let unit): return unit.content.split(separator: "\n").map { "  | \($0)" }
        case .user(let user): return ["  group \(user.group), home \(user.home), shell \(user.shell)"]
        case .command(let command): return self.describe(command)
        default: return []
        }
    }

    static func body(of file: File) -> [String] {
        if file.sensitive { return ["  (sensitive, \(file.content.count) bytes)"] }
        guard let text = String(validating: file.content, as: UTF8.self) else {
            return ["  (binary, \(file.content.count) bytes)"]
        }
        return text.split(separator: "\n").map { "  | \($0)" }
    }

    /// The command and its check as argv, inline scripts numbered and printed once below.
    static func describe(_ command: Command) -> [String] {
        var scripts: [String] = []
        func argv(_ shell: ShellCommand) -> String {
            shell.arguments.map { argument in
                let text = String(decoding: argument, as: UTF8.self)
                guard text.contains("\n") else { return String(decoding: Shell.quote(argument), as: UTF8.self) }
                if let index = scripts.firstIndex(of: text) { return "<script \(index + 1)>" }
                scripts.append(text)
                return "<script \(scripts.count)>"
            }.joined(separator: " ")
        }
        var lines = ["  run: \(argv(command.command))"]
        if let unless = command.unless { lines.append("  unless: \(argv(unless))") }
        if let creates = command.creates { lines.append("  creates: \(creates)") }
        if !command.refreshOn.isEmpty { lines.append("  refresh on \(command.refreshOn.map(\.description))") }
        if !command.input.isEmpty {
            lines.append("  stdin: \(command.input.count) bytes\(command.sensitive ? " (sensitive)" : "")")
        }
        lines.append("  timeout: \(command.timeout)")
        for (index, script) in scripts.enumerated() {
            lines.append("  script \(index + 1):")
            lines += script.split(separator: "\n", omittingEmptySubsequences: false).map { "    | \($0)" }
        }
        return lines
    }
}

extension UnitDescription {
    /// Compares `actual` with `Golden/NAME` beside this file; `LURUS_UPDATE_GOLDEN=1` rewrites the file first.
    static func check(_ actual: String, golden name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["LURUS_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(actual == (try String(contentsOf: url, encoding: .utf8)), "differs from Golden/\(name)")
    }
}
