import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import LurusServiceKit
import NIOCore
import ServiceLifecycle
import Synchronization

/// The client keys in use: from the billing service (`GET /v1/keys`), refreshed in the background so that
/// a key issued or revoked there works or stops within one refresh; the keys file is the offline fallback.
public final class ClientKeyStore: Sendable {
    private let keys: Mutex<(keys: ClientKeys, source: String, etag: String?)>

    public init(_ keys: ClientKeys, source: String, etag: String? = nil) {
        self.keys = Mutex((keys, source, etag))
    }

    public var current: ClientKeys { self.keys.withLock { $0.keys } }
    public var source: String { self.keys.withLock { $0.source } }
    var etag: String? { self.keys.withLock { $0.etag } }

    func replace(with keys: ClientKeys, source: String, etag: String?) {
        self.keys.withLock { $0 = (keys, source, etag) }
    }

    /// Whose key a request presents, or nil.
    public func identity(for headers: HTTPFields, queryKey: @autoclosure () -> String?) -> ClientIdentity? {
        self.current.identity(for: headers, queryKey: queryKey())
    }
}

/// Where the keys come from: billing first, the file when billing cannot answer.
public struct ClientKeySource: Sendable {
    let billingURL: URL?
    let file: String?
    let httpClient: HTTPClient
    let timeout: Duration
    /// The service token sent with each call, when there is one.
    let token: String?

    public init(
        billingURL: URL?,
        file: String?,
        httpClient: HTTPClient,
        timeout: Duration = .seconds(2),
        token: String? = nil
    ) {
        self.token = token
        self.billingURL = billingURL
        self.file = file
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// The keys to start with; without any the gateway must not start.
    public func initial(logger: Logger) async throws(StartupError) -> ClientKeyStore {
        var problems: [String] = []
        if self.billingURL != nil {
            do {
                if let (keys, etag) = try await self.fromBilling(ifNoneMatch: nil) {
                    return ClientKeyStore(keys, source: "billing service", etag: etag)
                }
            } catch {
                problems.append("\(error)")
                logger.warning(
                    "billing service unavailable for keys, trying the keys file",
                    metadata: ["error": "\(error)"]
                )
            }
        }
        if let file = self.file {
            return ClientKeyStore(try ClientKeys.load(file: file), source: file)
        }
        throw StartupError(
            "no client keys: "
                + (problems.isEmpty ? "keys.file (KEYS_FILE) is not set" : problems.joined(separator: "; ")),
            fix:
                "start the billing service (billing.service.url) or point keys.file at a JSON file of key ids and sha256 hashes (doc/gateway.md)"
        )
    }

    /// Billing's key list when it changed since `etag`, nil when it did not (304).
    func fromBilling(ifNoneMatch etag: String?) async throws(StartupError) -> (ClientKeys, String?)? {
        guard let base = self.billingURL else { return nil }
        let url = base.absoluteString.withoutTrailingSlash + "/v1/keys"
        let source = "keys from the billing service (\(url))"
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
            throw StartupError("\(source): \(error.problem)")
        }
        guard let answer else { return nil }
        return (try ClientKeys.decode(Data(buffer: answer.body), source: source), answer.etag)
    }
}

/// Refreshes the keys from billing in the background, keeping the last good ones.
struct ClientKeyRefresher: Service {
    let source: ClientKeySource
    let store: ClientKeyStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        guard self.source.billingURL != nil else { return }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return
            }
            do {
                let etag = self.store.source == "billing service" ? self.store.etag : nil
                guard let (keys, newTag) = try await self.source.fromBilling(ifNoneMatch: etag) else { continue }
                self.store.replace(with: keys, source: "billing service", etag: newTag)
                self.logger.debug("client keys refreshed", metadata: ["keys": "\(keys.count)"])
            } catch {
                self.logger.warning(
                    "client key refresh failed; keeping the current keys",
                    metadata: ["error": "\(error)"]
                )
            }
        }
    }
}
