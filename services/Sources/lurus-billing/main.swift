import LurusBilling
import LurusServiceKit

/// `lurus-billing [--config FILE]`: wallets, keys and the usage ledger. Settings come from the environment
/// first, then the YAML file (`--config` or BILLING_CONFIG_FILE); see doc/billing.md.
await ServiceMain.run(
    "lurus-billing",
    configFileVariable: "BILLING_CONFIG_FILE",
    configuration: BillingConfiguration.self
) { service in
    try await BillingService(configuration: service.configuration, logger: service.logger, tracing: service.tracing)
        .run()
}
