import Foundation
import Logging

extension ProviderStore {
    /// What a provisioning run created (nothing on every run after the first).
    public struct ProvisionResult: Sendable, Equatable {
        public var providers: [String] = []
        public var models: [String] = []
        /// The catalog version after the last creation, nil when nothing was created.
        public var version: Int?
    }

    /// The audit trail's `who` of what a provision file created.
    public static let provisionActor = "provision-file"

    /// Creates what `provision` names and the store does not have; changes nothing that exists. Each creation
    /// is an ordinary change (audited, versioned). Two replicas starting at once may race: the one whose
    /// creation is refused as a conflict finds it made by the other.
    public func provision(_ provision: CatalogProvision) async throws -> ProvisionResult {
        var result = ProvisionResult()
        for provider in provision.providers where try await self.provider(named: provider.name) == nil {
            do {
                result.version = try await self.createProvider(provider, who: Self.provisionActor).version
                result.providers.append(provider.name)
            } catch let error as APIError where error.status == .conflict {
                self.logger.notice(
                    "provider in the provision file created meanwhile",
                    metadata: ["provider": "\(provider.name)"]
                )
            }
        }
        var existing: [String: Set<String>] = [:]
        for model in provision.models {
            if existing[model.provider] == nil {
                existing[model.provider] = Set(try await self.models(provider: model.provider).map(\.input.name))
            }
            guard existing[model.provider]?.contains(model.name) == false else { continue }
            do {
                result.version = try await self.createModel(model, who: Self.provisionActor).version
                result.models.append("\(model.provider)/\(model.name)")
            } catch let error as APIError where error.status == .conflict {
                if try await self.models(provider: model.provider).contains(where: { $0.input.name == model.name }) {
                    self.logger.notice(
                        "model in the provision file created meanwhile",
                        metadata: ["model": "\(model.provider)/\(model.name)"]
                    )
                    continue
                }
                // Another model serves one of its names: the store keeps what it has.
                self.logger.warning(
                    "model in the provision file not created",
                    metadata: ["model": "\(model.provider)/\(model.name)", "reason": "\(error)"]
                )
            }
        }
        return result
    }
}
