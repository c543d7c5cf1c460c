import Foundation

/// Why a ClickHouse call failed, in words that say what to check. Never holds the password.
public enum ClickHouseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer: refused, reset, or a name that does not resolve.
    case unreachable(url: String, detail: String)
    /// No complete answer within the timeout.
    case timedOut(after: Duration)
    /// The server refused the user or password (HTTP 401, or ClickHouse error 192, 193 or 516).
    case authenticationFailed(user: String, message: String)
    /// The server answered with an error: its code (`Code: N`) and message.
    case server(code: Int, message: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let detail):
            return "ClickHouse at \(url) does not answer (\(detail)): is clickhouse-server running there?"
        case .timedOut(let after):
            return "ClickHouse did not answer within \(after)"
        case .authenticationFailed(let user, let message):
            return "ClickHouse refused user \(user): \(message); check the user and its password file"
        case .server(let code, let message):
            return "ClickHouse error \(code): \(message)"
        }
    }

    /// Whether trying again later may succeed: the server is away, or busy; not a refused query.
    public var isTransient: Bool {
        switch self {
        case .unreachable, .timedOut: return true
        case .authenticationFailed: return false
        // 159 timeout exceeded, 202 too many simultaneous queries, 252 too many parts, 209/210 socket
        // timeout / network error, 241 memory limit.
        case .server(let code, _): return [159, 202, 209, 210, 241, 252].contains(code)
        }
    }

    /// Reads an error answer: `Code: 60, e.displayText() = DB::Exception: Table … doesn't exist, e.what() = …`
    /// (18.16) or `Code: 60. DB::Exception: … (UNKNOWN_TABLE) (version 24.8…)` (current releases).
    static func parse(status: Int, body: String, user: String) -> ClickHouseError {
        var code = 0
        var message = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if message.hasPrefix("Code: ") {
            let digits = message.dropFirst(6).prefix { $0.isNumber }
            code = Int(digits) ?? 0
            if let range = message.range(of: "DB::Exception: ") {
                message = String(message[range.upperBound...])
            }
            if let range = message.range(of: ", e.what() = ") {
                message = String(message[..<range.lowerBound])
            }
            if let range = message.range(of: " (version ") {
                message = String(message[..<range.lowerBound])
            }
        }
        if status == 401 || [192, 193, 516].contains(code) {
            return .authenticationFailed(user: user, message: message)
        }
        return .server(code: code, message: message)
    }
}
