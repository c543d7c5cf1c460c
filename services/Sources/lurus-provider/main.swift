import LurusProvider
import LurusServiceKit

/// `lurus-provider [--config FILE]`: providers, models and prices behind an admin API, and the catalog
/// the gateway reads. Settings come from the environment first, then the YAML file (`--config` or
/// PROVIDER_CONFIG_FILE); see doc/provider.md.
await ServiceMain.run(
    "lurus-provider",
    configFileVariable: "PROVIDER_CONFIG_FILE",
    configuration: ProviderConfiguration.self
) { service in
    try await ProviderService.build(
        configuration: service.configuration,
        logger: service.logger,
        tracing: service.tracing
    ).run()
}
