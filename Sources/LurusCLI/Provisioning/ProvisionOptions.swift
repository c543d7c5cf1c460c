import ArgumentParser
import LurusInventory

/// Options of `plan` and `up`.
struct ProvisionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Plan or apply one component only (e.g. base); what it needs is assumed in place.",
            valueName: "component"
        )
    )
    var only: String?

    @Flag(help: "Print JSON objects, one per line, ending with a summary object.")
    var json = false

    /// The component `--only` names, or a usage error listing the valid names.
    var component: Component? {
        get throws {
            guard let only else { return nil }
            guard let component = Component(rawValue: only) else {
                throw ValidationError(
                    "--only: no component '\(only)'; components: \(Component.allCases.map(\.name).joined(separator: ", "))"
                )
            }
            return component
        }
    }
}
