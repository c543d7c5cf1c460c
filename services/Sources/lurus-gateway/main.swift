import LurusGateway
import LurusServiceKit

/// `lurus-gateway [--config FILE]`: the LLM gateway. Settings come from the environment first, then
/// the YAML file (`--config` or GATEWAY_CONFIG_FILE); see doc/gateway.md.
await ServiceMain.run(
    "lurus-gateway",
    configFileVariable: "GATEWAY_CONFIG_FILE",
    configuration: GatewayConfiguration.self
) { service in
    let gateway = try await Gateway.build(
        configuration: service.configuration,
        logger: service.logger,
        tracing: service.tracing
    )
    service.logger.info("listening", metadata: ["port": "\(service.configuration.port)"])
    try await gateway.run()
}
