import Testing

/// The log service's tests that start ClickHouse and nats-server, one at a time: ten ClickHouse servers
/// starting at once beside the other suites' servers starved them on a 2-core machine.
@Suite(.serialized) enum LogsServerTests {}
