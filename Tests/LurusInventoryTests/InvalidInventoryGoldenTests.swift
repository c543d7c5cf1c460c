import Foundation
import LurusInventory
import Testing

/// Every file in `Fixtures/invalid` is a broken inventory; the `.expected` file beside it holds the exact
/// messages `lurusctl validate` must print for it, one per line.
///
/// After an intended change of wording, regenerate with `LURUS_UPDATE_GOLDEN=1 swift test --filter Golden`
/// and review the diff line by line.
@Suite struct InvalidInventoryGoldenTests {
    static let folder = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/invalid")

    static var fixtures: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test("the fixture folder covers many kinds of mistake")
    func fixtureCount() {
        #expect(Self.fixtures.count >= 15)
    }

    @Test("each broken inventory gets exactly its located messages", arguments: Self.fixtures)
    func golden(fixture: String) throws {
        let url = Self.folder.appendingPathComponent(fixture)
        let text = try String(contentsOf: url, encoding: .utf8)
        let paths = PathResolver(inventoryDirectory: "/inventory", homeDirectory: "/home/operator")
        let (_, diagnostics) = InventoryLoader.check(text: text, file: fixture, paths: paths)
        let actual = diagnostics.map(\.description).joined(separator: "\n") + "\n"
        let expectedURL = url.deletingPathExtension().appendingPathExtension("expected")
        if ProcessInfo.processInfo.environment["LURUS_UPDATE_GOLDEN"] == "1" {
            // Write into the source tree, not the copied bundle.
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Fixtures/invalid").appendingPathComponent(expectedURL.lastPathComponent)
            try actual.write(to: source, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(actual == expected, "\(fixture): messages differ from \(expectedURL.lastPathComponent)")
        #expect(diagnostics.contains { $0.severity == .error }, "\(fixture) must have at least one error")
        for diagnostic in diagnostics {
            #expect(diagnostic.location.file == fixture)
            #expect(diagnostic.location.line >= 1 && diagnostic.location.column >= 1)
        }
    }
}
