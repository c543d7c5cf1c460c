import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small ClickHouse client over its HTTP interface, on AsyncHTTPClient.
///
/// Written here because no Swift ClickHouse client is in the local package copy. It does what the log
/// service needs and no more: a statement with its answer in the format the statement names, an insert of
/// rows already encoded (one HTTP request, one part on the server), and `/ping`. The password goes as
/// HTTP basic authentication (18.16 and current releases accept it), never in the URL. Every call has a
/// timeout.
public struct ClickHouseClient: Sendable {
    public let configuration: ClickHouseConfiguration
    let httpClient: HTTPClient

    /// The largest answer read into memory.
    static let maximumAnswer = 64 * 1024 * 1024

    public init(_ configuration: ClickHouseConfiguration, httpClient: HTTPClient = .shared) {
        self.configuration = configuration
        self.httpClient = httpClient
    }

    /// Runs `sql` (the request's body) with `settings` as URL parameters; the answer's bytes.
    @discardableResult
    public func query(
        _ sql: String,
        settings: [String: String] = [:],
        timeout: Duration? = nil
    ) async throws(ClickHouseError) -> ByteBuffer {
        try await self.send(
            parameters: settings,
            body: ByteBuffer(string: sql),
            timeout: timeout ?? self.configuration.timeout
        )
    }

    /// Inserts `rows` (in `format`, e.g. JSONEachRow) into `table` as one request: ClickHouse writes a batch
    /// smaller than `max_insert_block_size` (1,048,576 rows) as one part, all or nothing.
    public func insert(
        into table: String,
        format: String,
        rows: ByteBuffer,
        settings: [String: String] = [:]
    ) async throws(ClickHouseError) {
        var parameters = settings
        parameters["query"] = "INSERT INTO \(table) FORMAT \(format)"
        _ = try await self.send(parameters: parameters, body: rows, timeout: self.configuration.insertTimeout)
    }

    /// Whether the server answers `/ping` (no authentication involved).
    public func ping() async throws(ClickHouseError) {
        _ = try await self.send(path: "/ping", parameters: [:], body: nil, timeout: .seconds(5))
    }

    /// The server's `version()`, e.g. `18.16.1` or `24.8.11.5`.
    public func serverVersion() async throws(ClickHouseError) -> String {
        let answer = try await self.query("SELECT version()")
        return String(buffer: answer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func send(
        path: String = "/",
        parameters: [String: String],
        body: ByteBuffer?,
        timeout: Duration
    ) async throws(ClickHouseError) -> ByteBuffer {
        var components = URLComponents()
        var query = parameters
        query["database"] = query["database"] ?? self.configuration.database
        components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        let url = self.configuration.url + path + (path == "/" ? "?" + (components.percentEncodedQuery ?? "") : "")
        var request = HTTPClientRequest(url: url)
        request.method = body == nil ? .GET : .POST
        if let body {
            request.body = .bytes(body)
        }
        let credentials = "\(self.configuration.user):\(self.configuration.password ?? "")"
        request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        let response: HTTPClientResponse
        let answer: ByteBuffer
        do {
            response = try await self.httpClient.execute(request, timeout: .nanoseconds(Int64(timeout.nanoseconds)))
            answer = try await response.body.collect(upTo: Self.maximumAnswer)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw .timedOut(after: timeout)
        } catch {
            throw .unreachable(url: self.configuration.url, detail: Self.describe(error))
        }
        guard response.status == .ok else {
            throw ClickHouseError.parse(
                status: Int(response.status.code),
                body: String(buffer: answer),
                user: self.configuration.user
            )
        }
        return answer
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        if let error = error as? IOError { return error.description }
        return String(describing: error)
    }
}

extension Duration {
    var nanoseconds: Double {
        Double(self.components.seconds) * 1e9 + Double(self.components.attoseconds) / 1e9
    }
}
