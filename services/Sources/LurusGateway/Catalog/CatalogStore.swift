import AsyncHTTPClient
import Foundation
import Logging
import LurusServiceKit
import NIOCore
import ServiceLifecycle
import Synchronization

/// The catalog in use, replaced whole when a refresh brings a new one.
public final class CatalogStore: Sendable {
    private let catalog: Mutex<ProviderCatalog>

    public init(_ catalog: ProviderCatalog) {
        self.catalog = Mutex(catalog)
    }

    public var current: ProviderCatalog {
        self.catalog.withLock { $0 }
    }

    func replace(with catalog: ProviderCatalog) {
        self.catalog.withLock { $0 = catalog }
    }
}

/// Fetches the catalog: the provider service first, the local file when the service cannot answer.
public struct CatalogSource: Sendable {
    let serviceURL: URL?
    let file: String?
    let httpClient: HTTPClient
    let timeout: Duration
    /// The service token sent with each call, when there is one.
    let token: String?

    public init(
        serviceURL: URL?,
        file: String?,
        httpClient: HTTPClient,
        timeout: Duration = .seconds(2),
        token: String? = nil
    ) {
        self.token = token
        self.serviceURL = serviceURL
        self.file = file
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// The catalog to start with; without one the gateway must not start.
    public func initial(logger: Logger) async throws(StartupError) -> ProviderCatalog {
        var problems: [String] = []
        if self.serviceURL != nil {
            do {
                return try await self.fromService()
            } catch {
                problems.append("\(error)")
                logger.warning(
                    "provider service unavailable, trying the local catalog file",
                    metadata: ["error": "\(error)"]
                )
            }
        }
        if let file = self.file {
            do {
                return try self.fromFile(file)
            } catch {
                problems.append("\(error)")
            }
        }
        throw StartupError(
            "no provider catalog: " + problems.joined(separator: "; "),
            fix: "start the provider service or fix CATALOG_FILE"
        )
    }

    /// Asks the provider service for `GET /v1/catalog`.
    func fromService() async throws(CatalogError) -> ProviderCatalog {
        guard let catalog = try await self.fromService(ifNoneMatch: nil) else {
            throw CatalogError(source: "provider service", problem: "answered 304 to a request without If-None-Match")
        }
        return catalog
    }

    /// The catalog when it changed since the one tagged `etag`, nil when it did not (304).
    func fromService(ifNoneMatch etag: String?) async throws(CatalogError) -> ProviderCatalog? {
        guard let base = self.serviceURL else {
            throw CatalogError(source: "provider service", problem: "not configured")
        }
        let url = base.absoluteString.withoutTrailingSlash + "/v1/catalog"
        let source = "from the provider service (\(url))"
        let answer: (body: ByteBuffer, etag: String?)?
        do {
            answer = try await ConditionalFetch.get(
                url,
                ifNoneMatch: etag,
                bearer: self.token,
                client: self.httpClient,
                timeout: self.timeout
            )
        } catch {
            throw CatalogError(source: source, problem: error.problem)
        }
        guard let answer else { return nil }
        var catalog = try ProviderCatalog.load(
            Data(buffer: answer.body),
            source: "provider service",
            skipUnreadableKeys: true
        )
        catalog.etag = answer.etag
        return catalog
    }

    func fromFile(_ path: String) throws(CatalogError) -> ProviderCatalog {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogError(source: path, problem: "cannot be read")
        }
        return try ProviderCatalog.load(data, source: path)
    }
}

/// Refreshes the catalog from the provider service in the background, keeping the last good one.
public struct CatalogRefresher: Service {
    let source: CatalogSource
    let store: CatalogStore
    let interval: Duration
    let logger: Logger

    public init(source: CatalogSource, store: CatalogStore, interval: Duration, logger: Logger) {
        self.source = source
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        guard self.source.serviceURL != nil else { return }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return
            }
            do {
                let current = self.store.current
                guard let catalog = try await self.source.fromService(ifNoneMatch: current.etag) else { continue }
                self.store.replace(with: catalog)
                if !catalog.skipped.isEmpty {
                    self.logger.warning(
                        "providers left out of the catalog: their keys cannot be read here",
                        metadata: ["skipped": "\(catalog.skipped)"]
                    )
                }
                self.logger.debug("catalog refreshed", metadata: ["providers": "\(catalog.providers.count)"])
            } catch {
                self.logger.warning("catalog refresh failed; keeping the current one", metadata: ["error": "\(error)"])
            }
        }
    }
}
