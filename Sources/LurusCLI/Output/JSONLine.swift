import Foundation

/// One line of a JSON stream: an object with a `type` and a `time`, keys sorted.
enum JSONLine {
    case nodePlan(JSONNodePlan)
    case nodeFailure(JSONNodeFailure)
    case planSummary(JSONPlanSummary)
    case event(String, any Encodable)

    var type: String {
        switch self {
        case .nodePlan: "node_plan"
        case .nodeFailure: "node_failed"
        case .planSummary: "plan_summary"
        case .event(let type, _): type
        }
    }

    var payload: any Encodable {
        switch self {
        case .nodePlan(let value): value
        case .nodeFailure(let value): value
        case .planSummary(let value): value
        case .event(_, let value): value
        }
    }

    static func encode(_ line: JSONLine) throws -> String {
        let data = try JSONEncoder().encode(line.payload)
        var object = (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        object["type"] = line.type
        object["time"] = ISO8601DateFormatter().string(from: Date())
        let encoded = try JSONSerialization.data(
            withJSONObject: object,
            options: [.sortedKeys, .withoutEscapingSlashes]
        )
        return String(decoding: encoded, as: UTF8.self)
    }
}
