import LurusServiceKit
import Testing

/// The shared start-up's pure parts: where the configuration file comes from, how errors end.
@Suite("ServiceMain")
struct ServiceMainTests {
    @Test(
        "--config FILE wins over the environment variable; a --config without a value is ignored",
        arguments: [
            (["svc", "--config", "/etc/a.yaml"], ["SVC_CONFIG_FILE": "/etc/b.yaml"], "/etc/a.yaml"),
            (["svc"], ["SVC_CONFIG_FILE": "/etc/b.yaml"], "/etc/b.yaml"),
            (["svc", "--verbose", "--config", "c.yaml"], [:], "c.yaml"),
            (["svc", "--config"], ["SVC_CONFIG_FILE": "/etc/b.yaml"], "/etc/b.yaml"),
            (["svc", "--config"], [:], nil),
            (["svc"], ["OTHER_CONFIG_FILE": "/etc/c.yaml"], nil),
        ] as [([String], [String: String], String?)]
    )
    func configFile(arguments: [String], environment: [String: String], file: String?) {
        #expect(
            ServiceMain.configFile(arguments: arguments, environment: environment, variable: "SVC_CONFIG_FILE") == file
        )
    }

    @Test("a start-up error prints its problem and fix after the service's name, and exits 1")
    func startupError() {
        let error = StartupError(
            "setting http.port is \"x\" (from environment HTTP_PORT)",
            fix: "it must be an integer"
        )
        #expect(
            ServiceExit(error: error, service: "lurus-gateway")
                == ServiceExit(
                    message:
                        #"lurus-gateway: setting http.port is "x" (from environment HTTP_PORT); it must be an integer"#,
                    status: 1
                )
        )
    }

    struct Crash: Error, CustomStringConvertible {
        var description: String
    }

    @Test("any other error is the service stopping, on one line, and exits 1")
    func otherError() {
        let ending = ServiceExit(
            error: Crash(description: "bind failed:\n  address in use\r\n"),
            service: "lurus-billing"
        )
        #expect(ending.message == "lurus-billing: stopped: bind failed: address in use")
        #expect(ending.status == 1)
    }

    @Test("a start-up error's description is its problem, then its fix when there is one")
    func startupErrorDescription() {
        #expect(StartupError("no keys").description == "no keys")
        #expect(StartupError("no keys", fix: "set KEYS_FILE").description == "no keys; set KEYS_FILE")
    }
}
