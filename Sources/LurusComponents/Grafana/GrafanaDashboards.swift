import LurusInventory

/// The dashboards lurusctl provisions in Grafana (`templates/grafana/dashboards/NAME.json`), every query
/// on the datasource of fixed uid `lurus-prometheus`.
public enum GrafanaDashboards {
    /// `gateway`: "Lurus Gateway - LLM Metrics"; `nodes`: the node exporters' view of every node.
    public static let all = ["gateway", "nodes"]

    public static func render(_ name: String, templates: TemplateLibrary) throws(TemplateError) -> String {
        try templates.render("grafana/dashboards/\(name).json", ["datasource": GrafanaComponent.datasourceUID])
    }
}
