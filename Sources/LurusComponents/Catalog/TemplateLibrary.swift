import Foundation
import Mustache

/// The Mustache templates of `templates/COMPONENT/*.mustache`, rendered with swift-mustache.
///
/// Found at `$LURUS_TEMPLATES`, else in a `templates/` folder beside or above the running executable (the
/// repository for a build in `.build/`), else `/usr/share/lurusctl/templates`.
public struct TemplateLibrary: Sendable {
    let library: MustacheLibrary
    public let directory: String

    public init(directory: String) async throws(TemplateError) {
        do {
            self.library = try await MustacheLibrary(directory: directory)
        } catch {
            throw TemplateError(
                "cannot load the templates in \(directory): \(error)",
                hint: "fix or restore the template"
            )
        }
        self.directory = directory
    }

    /// Loads the templates from where they are found.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(TemplateError) -> TemplateLibrary {
        guard let directory = self.directory(environment: environment) else {
            throw TemplateError(
                "cannot find lurusctl's templates",
                hint: "set LURUS_TEMPLATES to the repository's templates/ folder"
            )
        }
        return try await TemplateLibrary(directory: directory)
    }

    static func directory(environment: [String: String]) -> String? {
        if let explicit = environment["LURUS_TEMPLATES"], !explicit.isEmpty { return explicit }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("templates")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("base").path) {
                return candidate.path
            }
            folder.deleteLastPathComponent()
        }
        let installed = "/usr/share/lurusctl/templates"
        return FileManager.default.fileExists(atPath: installed) ? installed : nil
    }

    /// Renders `component/name` (without `.mustache`) with `context`.
    public func render(_ name: String, _ context: [String: Any]) throws(TemplateError) -> String {
        guard let text = self.library.render(context, withTemplate: name) else {
            throw TemplateError(
                "no template \(name).mustache in \(self.directory)",
                hint: "restore it from the repository"
            )
        }
        return text
    }
}

/// A template that is missing or broken.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var hint: String

    init(_ message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(self.message) (\(self.hint))" }
}
