import Foundation
import Logging
import NIOCore
import NIOPosix

/// The start-up every bundled service shares; a service's `main.swift` is one call to ``run``.
///
/// ```swift
/// await ServiceMain.run("lurus-billing", configFileVariable: "BILLING_CONFIG_FILE",
///                       configuration: BillingConfiguration.self) { service in
///     try await Billing.build(service).run()
/// }
/// ```
///
/// It installs NIO's event loops as Swift concurrency's executor, finds the configuration file
/// (`--config FILE`, else the environment variable), loads ``Settings``, reads the service's
/// configuration, bootstraps JSON logging at its level and tracing, then runs the body. An error
/// ends the process with one line on standard error, `NAME: …`, and exit status 1.
public enum ServiceMain {
    /// Runs a service; returns when its body returns, exits with status 1 when it throws.
    ///
    /// Call it first in `main.swift`: it is main-actor isolated so that the executor is installed
    /// before any task runs on the global executor.
    @MainActor
    public static func run<Configuration: ServiceConfiguration>(
        _ name: String,
        configFileVariable: String,
        configuration: Configuration.Type,
        arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        body: @escaping @Sendable (ServiceStartup<Configuration>) async throws -> Void
    ) async {
        // Swift concurrency's tasks run on NIO's event loops: no thread hop between the handlers
        // and the sockets on every await (measured in services/bench/gateway-bench).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            let startup: ServiceStartup<Configuration> = try await Self.start(
                name,
                configFile: Self.configFile(
                    arguments: arguments,
                    environment: environment,
                    variable: configFileVariable
                ),
                environment: environment
            )
            try await body(startup)
        } catch {
            let ending = ServiceExit(error: error, service: name)
            FileHandle.standardError.write(Data((ending.message + "\n").utf8))
            exit(ending.status)
        }
    }

    /// The configuration file: the argument after `--config`, else the value of `variable`, else
    /// none (settings from the environment alone). A `--config` without a value is ignored.
    public static func configFile(arguments: [String], environment: [String: String], variable: String) -> String? {
        if let index = arguments.firstIndex(of: "--config"), index + 1 < arguments.count {
            return arguments[index + 1]
        }
        return environment[variable]
    }

    /// Loads the settings and the configuration, bootstraps logging and tracing.
    private static func start<Configuration: ServiceConfiguration>(
        _ name: String,
        configFile: String?,
        environment: [String: String]
    ) async throws(StartupError) -> ServiceStartup<Configuration> {
        let settings = try await Settings.load(filePath: configFile, environment: environment)
        let configuration = try Configuration(settings: settings)
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        let logger = Logger(label: name)
        let tracing = try TracingSetup.bootstrap(
            enabled: configuration.tracingEnabled,
            endpoint: configuration.tracingEndpoint,
            serviceName: name,
            logger: logger
        )
        return ServiceStartup(configuration: configuration, settings: settings, logger: logger, tracing: tracing)
    }
}

/// How a service ends on an error: the one line for standard error and the exit status.
public struct ServiceExit: Sendable, Equatable {
    /// `NAME: PROBLEM; FIX` for a start-up error, `NAME: stopped: ERROR` for anything else; never
    /// more than one line.
    public var message: String
    /// The process's exit status.
    public var status: Int32

    /// Creates an ending.
    public init(message: String, status: Int32) {
        self.message = message
        self.status = status
    }

    /// The ending for `error` thrown while `service` started or ran.
    public init(error: any Error, service: String) {
        let text = error is StartupError ? "\(error)" : "stopped: \(error)"
        let oneLine = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
        self.init(message: "\(service): \(oneLine)", status: 1)
    }
}
