import Foundation

/// The report as one JSON object: the status, its exit code, the time it took, every result. Pure.
public enum JSONFormat {
    public static func text(_ report: HealthReport) -> String {
        let object: [String: Any] = [
            "status": report.status.word,
            "exit": report.status.rawValue,
            "milliseconds": report.milliseconds,
            "nodes": report.nodes,
            "checks": report.results.map { result -> [String: Any] in
                var entry: [String: Any] = [
                    "node": result.node, "check": result.check, "status": result.status.word,
                    "summary": result.summary,
                ]
                if let fix = result.fix { entry["fix"] = fix }
                if let measure = result.measure {
                    var value: [String: Any] = ["label": measure.label, "value": measure.value, "unit": measure.unit]
                    if let warning = measure.warning { value["warning"] = warning }
                    if let critical = measure.critical { value["critical"] = critical }
                    entry["measure"] = value
                }
                return entry
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
