import LurusLogs
import LurusServiceKit

/// `lurus-logs [--config FILE]`: every request's record in ClickHouse, and the API that reads them.
/// Settings come from the environment first, then the YAML file (`--config` or LOGS_CONFIG_FILE); see
/// doc/logs.md.
await ServiceMain.run(
    "lurus-logs",
    configFileVariable: "LOGS_CONFIG_FILE",
    configuration: LogsConfiguration.self
) { service in
    try await LogService(configuration: service.configuration, logger: service.logger, tracing: service.tracing)
        .run()
}
