import Foundation
import LLMWire
import LurusServiceKit

/// The catalog the service is seeded from at start (`catalog.provisionFile`): the gateway's catalog file
/// (`CatalogDocument`, `doc/gateway.md`), so one file declares the catalog whether the gateway reads it
/// offline or the provider service serves it. Each provider and model goes through the admin API's
/// validation; a refusal names the file and the key path. Pure.
///
/// Seed semantics: at start the service creates the providers and models the file names that it does not
/// have (a provider by name, a model by provider and name), and changes nothing that exists, so an edit
/// made through the admin API is never reverted by a restart.
public struct CatalogProvision: Sendable, Equatable {
    public var providers: [ProviderInput]
    public var models: [ModelInput]

    public init(providers: [ProviderInput], models: [ModelInput]) {
        self.providers = providers
        self.models = models
    }

    /// Reads the file at `path`.
    public static func load(file path: String) throws(StartupError) -> CatalogProvision {
        try Self.parse(
            ProvisionDocument(
                file: path,
                setting: "catalog.provisionFile",
                kind: Self.kind,
                member: "providers",
                fix: Self.fix
            )
        )
    }

    /// Parses a catalog document; errors name `source` and the key path of the refused value.
    public static func parse(_ bytes: [UInt8], source: String) throws(StartupError) -> CatalogProvision {
        try Self.parse(
            ProvisionDocument(bytes: bytes, source: source, kind: Self.kind, member: "providers", fix: Self.fix)
        )
    }

    static let kind = "catalog provision file"
    static let fix = "correct it (doc/provider.md, provisioning)"

    static func parse(_ document: ProvisionDocument) throws(StartupError) -> CatalogProvision {
        let refused = document.refused
        let entries = document.entries
        var providers: [ProviderInput] = []
        var models: [ModelInput] = []
        var names: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let path = "providers[\(index)]"
            guard case .object(var members) = entry else { throw refused("\(path): must be a JSON object") }
            let modelEntries = members.removeValue(forKey: "models") ?? .array([])
            let provider: ProviderInput
            do {
                provider = try ProviderInput(json: .object(members))
            } catch {
                throw refused(Self.located(error, under: path))
            }
            guard names.insert(provider.name).inserted else {
                throw refused("\(path).name: \"\(provider.name)\" is named twice")
            }
            providers.append(provider)
            guard case .array(let modelList) = modelEntries else {
                throw refused("\(path).models: must be an array of models")
            }
            var served: Set<String> = []
            for (modelIndex, modelEntry) in modelList.enumerated() {
                let modelPath = "\(path).models[\(modelIndex)]"
                guard case .object(var fields) = modelEntry else {
                    throw refused("\(modelPath): must be a JSON object")
                }
                if fields["provider"] != nil { throw refused("\(modelPath).provider: unknown field") }
                fields["provider"] = .string(provider.name)
                let model: ModelInput
                do {
                    model = try ModelInput(json: .object(fields))
                } catch {
                    throw refused(Self.located(error, under: modelPath))
                }
                for name in model.servedNames where !served.insert(name).inserted {
                    throw refused("\(modelPath): \"\(name)\" is served by another model of \(provider.name) already")
                }
                models.append(model)
            }
        }
        return CatalogProvision(providers: providers, models: models)
    }

    /// An admin API refusal placed under the entry's key path.
    static func located(_ error: APIError, under path: String) -> String {
        error.field.map { "\(path).\($0): \(error.message)" } ?? "\(path): \(error.message)"
    }
}
