import Foundation
import Logging
import LurusGateway
import LurusServiceKit
import NIOCore
import NIOPosix

// Swift concurrency's tasks run on NIO's event loops: no thread hop between the handlers and the
// sockets on every await (measured in services/bench/gateway-bench). Must come before any task.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

/// `lurus-gateway [--config FILE]`: the LLM gateway. Settings come from the environment first, then
/// the YAML file (`--config` or GATEWAY_CONFIG_FILE); see doc/gateway.md.
let arguments = CommandLine.arguments
let configFile: String? = {
    if let index = arguments.firstIndex(of: "--config"), index + 1 < arguments.count { return arguments[index + 1] }
    return ProcessInfo.processInfo.environment["GATEWAY_CONFIG_FILE"]
}()

do {
    let settings = try await Settings.load(filePath: configFile)
    let configuration = try GatewayConfiguration(settings: settings)
    let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
    LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
    let logger = Logger(label: "lurus-gateway")
    let tracing = try TracingSetup.bootstrap(
        enabled: configuration.tracingEnabled,
        endpoint: configuration.tracingEndpoint,
        serviceName: "lurus-gateway",
        logger: logger
    )
    let gateway = try await Gateway.build(configuration: configuration, logger: logger, tracing: tracing)
    logger.info("listening", metadata: ["port": "\(configuration.port)"])
    try await gateway.run()
} catch let error as StartupError {
    FileHandle.standardError.write(Data("lurus-gateway: \(error)\n".utf8))
    exit(1)
} catch {
    FileHandle.standardError.write(Data("lurus-gateway: stopped: \(error)\n".utf8))
    exit(1)
}
