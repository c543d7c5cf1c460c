import LurusNATS
import LurusServiceKit

extension NATSConfiguration {
    /// The NATS connection of a service that consumes usage events, from `nats.url`, `nats.user` and
    /// `nats.passwordFile` (NATS_URL, NATS_USER, NATS_PASSWORD_FILE); nil without `nats.url`. Credentials
    /// in the URL stay unless the settings name others.
    public static func events(settings: Settings, clientName: String) throws(StartupError) -> NATSConfiguration? {
        guard let url = settings.string("nats.url") else { return nil }
        var nats: NATSConfiguration
        do {
            nats = try NATSConfiguration(url: url)
        } catch {
            throw StartupError("setting nats.url (NATS_URL) is \"\(url)\": \(error)", fix: "use nats://HOST:PORT")
        }
        nats.name = clientName
        if let user = settings.string("nats.user") { nats.user = user }
        if let password = try settings.secretFile("nats.passwordFile") { nats.password = password }
        return nats
    }
}
