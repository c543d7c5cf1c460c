import Foundation
import Hummingbird
import LLMWire
import LurusAdminAuth
import LurusClickHouse

/// `GET /api/v1/logs` and `GET /api/v1/stats`, behind the admin authentication the provider and billing
/// services use. Bad parameters are 400s naming the parameter; ClickHouse away is a 503 saying so.
struct LogsAPI: Sendable {
    let client: ClickHouseClient
    let metrics: LogMetrics
    let rollupStart: RollupStart

    func add(to group: RouterGroup<AdminContext>) {
        group.get("logs") { request, _ -> Response in
            let query = try LogsQuery(try Self.parameters(request, allowed: LogsQuery.parameters))
            let rows = try await self.rows(query.sql)
            let page = rows.prefix(query.limit)
            var body: [String: JSONValue] = ["data": .array(page.map(LogRendering.request))]
            if rows.count > query.limit, let last = page.last, let ms = last["started_at_ms"]?.intValue,
                let id = last["request_id"]?.stringValue
            {
                body["next_cursor"] = .string(LogsQuery.Cursor(startedAtMs: Int64(ms), requestID: id).text)
            } else {
                body["next_cursor"] = .null
            }
            return Self.json(.object(body))
        }
        group.get("stats") { request, _ -> Response in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let query = try StatsQuery(try Self.parameters(request, allowed: StatsQuery.parameters), nowMs: now)
            let rows = try await self.rows(query.sql(rollupStart: self.rollupStart.value))
            var body: [String: JSONValue] = [
                "interval": .string(query.interval.rawValue),
                "from": .string(EventTime.iso(milliseconds: query.filter.fromMs ?? 0)),
                "to": .string(EventTime.iso(milliseconds: query.filter.toMs ?? now)),
                "buckets": .array(rows.map { LogRendering.bucket($0, query: query) }),
            ]
            body["group_by"] = query.group.map { .string($0.rawValue) } ?? .null
            return Self.json(.object(body))
        }
    }

    private func rows(_ sql: String) async throws -> [[String: JSONValue]] {
        let started = ContinuousClock.now
        do {
            let answer = try await self.client.query(
                sql,
                settings: ["output_format_json_quote_64bit_integers": "0", "readonly": "2"]
            )
            self.metrics.queries.increment()
            self.metrics.queryDuration.record(ContinuousClock.now - started)
            return try LogRendering.rows(String(buffer: answer))
        } catch let error as ClickHouseError {
            self.metrics.queryFailures.increment()
            throw ServiceUnavailable(message: "the request log cannot be read now: \(error)")
        }
    }

    static func parameters(_ request: Request, allowed: Set<String>) throws(QueryError) -> QueryParameters {
        try QueryParameters(
            request.uri.queryParameters.map { (String($0.key), String($0.value)) },
            allowed: allowed
        )
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized()))
        )
    }
}

/// ClickHouse did not answer a query: 503, saying so.
struct ServiceUnavailable: Error, HTTPResponseError {
    var message: String
    var status: HTTPResponse.Status { .serviceUnavailable }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        LogsAPI.json(.object(["error": .object(["message": .string(self.message)])]), status: self.status)
    }
}

extension QueryError: HTTPResponseError {
    public var status: HTTPResponse.Status { .badRequest }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        LogsAPI.json(
            .object(["error": .object(["parameter": .string(self.parameter), "message": .string(self.message)])]),
            status: .badRequest
        )
    }
}
