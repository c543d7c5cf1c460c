import Foundation
import LurusTestSupport
import Testing

@testable import LurusComponents

/// The shipped dashboards as Grafana gets them, held to the rules of grafana/dashboard-linter (which is
/// Go and not packaged here, so its rules are written out): every panel and variable on the provisioned
/// datasource uid (no `${DS_…}`), a title, a description and a unit on every panel, rates over
/// `$__rate_interval`. That every query returns data from a real Prometheus scraping the real gateway is
/// `ObservabilityLabTests.everyDashboardQueryReturnsData`.
@Suite struct DashboardLintTests {
    static func dashboards() async throws -> [String: [String: Any]] {
        let templates = try await TemplateLibrary(directory: Repository.path("templates"))
        var dashboards: [String: [String: Any]] = [:]
        for name in GrafanaDashboards.all {
            let text = try GrafanaDashboards.render(name, templates: templates)
            #expect(!text.contains("${DS_"), "\(name): a ${DS_…} placeholder fails on a provisioned Grafana")
            dashboards[name] = try #require(
                try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                "\(name) is not a JSON object"
            )
        }
        return dashboards
    }

    static func panels(_ dashboard: [String: Any]) -> [[String: Any]] { dashboard["panels"] as? [[String: Any]] ?? [] }

    /// Every `[...]` range in `expr` with the function before it: `rate` → `$__rate_interval`.
    static func ranges(_ expr: String) -> [(function: String, range: String)] {
        let pattern = try! NSRegularExpression(pattern: #"(\w+)\((?:[^()\[]|\([^()]*\))*?\[([^\]]+)\]"#)
        let text = expr as NSString
        return pattern.matches(in: expr, range: NSRange(location: 0, length: text.length)).map { match in
            (text.substring(with: match.range(at: 1)), text.substring(with: match.range(at: 2)))
        }
    }

    @Test func everyPanelIsOnTheProvisionedDatasourceWithATitleADescriptionAndAUnit() async throws {
        for (name, dashboard) in try await Self.dashboards() {
            let panels = Self.panels(dashboard)
            #expect(panels.count >= 5, "\(name) has \(panels.count) panels")
            #expect(Set(panels.compactMap { $0["id"] as? Int }).count == panels.count, "\(name): panel ids repeat")
            for panel in panels {
                let title = panel["title"] as? String ?? ""
                #expect(!title.isEmpty, "\(name): a panel without a title")
                #expect(!(panel["description"] as? String ?? "").isEmpty, "\(name) \(title): no description")
                #expect(
                    (panel["datasource"] as? [String: Any])?["uid"] as? String == "lurus-prometheus",
                    "\(name) \(title)"
                )
                let unit = ((panel["fieldConfig"] as? [String: Any])?["defaults"] as? [String: Any])?["unit"] as? String
                #expect(!(unit ?? "").isEmpty, "\(name) \(title): no unit")
                let grid = panel["gridPos"] as? [String: Int] ?? [:]
                #expect((grid["x"] ?? 99) + (grid["w"] ?? 99) <= 24, "\(name) \(title): wider than the grid")
                let targets = panel["targets"] as? [[String: Any]] ?? []
                #expect(!targets.isEmpty, "\(name) \(title): no query")
                for target in targets {
                    #expect((target["datasource"] as? [String: Any])?["uid"] as? String == "lurus-prometheus")
                    let expr = target["expr"] as? String ?? ""
                    #expect(!expr.isEmpty, "\(name) \(title): an empty query")
                    for (function, range) in Self.ranges(expr) {
                        if function == "increase" {
                            #expect(["$__rate_interval", "1h", "24h"].contains(range), "\(name) \(title): \(expr)")
                        } else {
                            #expect(range == "$__rate_interval", "\(name) \(title): \(function) over [\(range)]")
                        }
                    }
                }
            }
            let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
            for variable in variables {
                #expect((variable["datasource"] as? [String: Any])?["uid"] as? String == "lurus-prometheus")
            }
        }
    }

    @Test func theGatewayDashboardShowsWhatTheDesignAsksFor() async throws {
        let gateway = try #require(try await Self.dashboards()["gateway"])
        #expect(
            gateway["title"] as? String == "Lurus Gateway - LLM Metrics" && gateway["uid"] as? String == "lurus-gateway"
        )
        let titles = Self.panels(gateway).compactMap { $0["title"] as? String }.joined(separator: " | ")
        for wanted in [
            "Requests per second", "Latency", "Time to first token", "Error ratio", "Cost", "Tokens",
            "Provider attempts", "Failovers", "Prompt cache hit ratio", "Provider available", "Requests in flight",
        ] {
            #expect(titles.contains(wanted), "no \(wanted) panel in: \(titles)")
        }
        let exprs = Self.panels(gateway).flatMap {
            ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
        // Client errors never count as the cluster's errors.
        let errorRatio = try #require(exprs.first { $0.contains("lurus_gateway_errors_total{outcome=~") })
        #expect(errorRatio.contains("status_class!=\"4xx\"") && !errorRatio.contains("client_error"))
    }
}
