/// Reading the `backup:` and `health:` blocks.
extension InventoryDecoder {
    func backup(_ block: MappingReader, cluster: String) -> BackupSettings? {
        defer { block.reportUnknownKeys(expected: BackupSettings.keys, context: "backup") }
        let hint = "write destination: minio, or an S3 block with endpoint, bucket, access_key and secret_key"
        var destination: BackupSettings.Destination?
        if let value = block.value("destination"), !value.isNull {
            if let word = value.scalarText {
                if word == "minio" {
                    destination = .minio
                } else {
                    self.sink.error(value.location, value.path, "unknown backup destination '\(word)'", hint: hint)
                }
            } else if let s3 = MappingReader(value, sink: self.sink, expected: "minio or an S3 mapping") {
                destination = self.s3Destination(s3)
            }
        } else {
            block.missing("destination", hint: hint)
        }
        let keepLast = block.integer("keep_last", in: 1...10_000, what: "a number of backups") ?? 7
        let maxAge = block.duration("max_age")
        let prefix = block.string("prefix") ?? ""
        var recipients: [String] = []
        for (text, item) in block.list("encrypt_to") ?? [] {
            if BackupSettings.isAgeRecipient(text) {
                recipients.append(text)
            } else if text.uppercased().hasPrefix("AGE-SECRET-KEY-") {
                // Never echo it: the error is printed and may be logged.
                self.sink.error(
                    item.location,
                    item.path,
                    "this is an age private key, not a recipient",
                    hint: "remove it from the inventory now and give its public key: age-keygen -y KEYFILE prints it"
                )
            } else {
                self.sink.error(
                    item.location,
                    item.path,
                    "'\(text.prefix(80))' is not an age recipient",
                    hint: "give public keys as age-keygen prints them: age1 and 58 more characters"
                )
            }
        }
        let identity = block.secret("identity")
        let pointInTime = block.bool("point_in_time") ?? true
        return destination.map {
            var settings = BackupSettings(destination: $0, keepLast: keepLast, maxAge: maxAge, prefix: prefix)
            settings.encryptTo = recipients
            settings.identity = identity
            settings.pointInTime = pointInTime
            return settings
        }
    }

    func s3Destination(_ block: MappingReader) -> BackupSettings.Destination? {
        defer { block.reportUnknownKeys(expected: BackupSettings.S3Destination.keys, context: "an S3 destination") }
        let endpoint = block.string("endpoint", required: "the S3 API URL, e.g. https://s3.example.com")
        if let endpoint, !(endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://")) {
            block.reject(
                "endpoint",
                "'\(endpoint)' is not an http(s) URL",
                hint: "e.g. https://s3.example.com"
            )
        }
        let bucket = block.string("bucket", required: "the bucket backups go to")
        let region = block.string("region") ?? "us-east-1"
        let accessKey = block.secret("access_key", required: "e.g. env:S3_ACCESS_KEY")
        let secretKey = block.secret("secret_key", required: "e.g. file:~/.config/lurus/s3-secret-key")
        guard let endpoint, let bucket, let accessKey, let secretKey else { return nil }
        return .s3(
            .init(endpoint: endpoint, bucket: bucket, region: region, accessKey: accessKey, secretKey: secretKey)
        )
    }

    func health(_ block: MappingReader) -> HealthSettings {
        defer { block.reportUnknownKeys(expected: HealthSettings.keys, context: "health") }
        var health = HealthSettings()
        if let timeout = block.duration("timeout") { health.timeout = timeout }
        if let warning = block.integer("disk_warning_percent", in: 1...100, what: "a percentage") {
            health.diskWarningPercent = warning
        }
        if let critical = block.integer("disk_critical_percent", in: 1...100, what: "a percentage") {
            health.diskCriticalPercent = critical
        }
        if health.diskWarningPercent >= health.diskCriticalPercent {
            let at = block.keyLocation("disk_warning_percent")
            self.sink.error(
                at,
                block.path.appending("disk_warning_percent"),
                "warning at \(health.diskWarningPercent)% is not below critical at \(health.diskCriticalPercent)%",
                hint: "make disk_warning_percent smaller than disk_critical_percent"
            )
        }
        if let age = block.duration("backup_max_age") { health.backupMaxAge = age }
        if let runs = block.integer("confirm_after", in: 1...20, what: "a number of runs") {
            health.confirmAfter = runs
        }
        if let path = block.string("textfile_path") {
            if path.hasSuffix(".prom") {
                health.textfilePath = self.paths.resolve(path)
            } else {
                block.reject(
                    "textfile_path",
                    "the textfile collector reads only files ending in .prom",
                    hint: "e.g. /var/lib/node_exporter/textfile/lurus.prom"
                )
            }
        }
        health.pingURL = block.secret("ping_url")
        health.canaryKey = block.secret("canary_key")
        return health
    }
}

/// Reading the `deploy:` block.
extension InventoryDecoder {
    func deploy(_ block: MappingReader) -> DeploySettings {
        defer { block.reportUnknownKeys(expected: DeploySettings.keys, context: "deploy") }
        var deploy = DeploySettings()
        if let build = block.choice("build", among: DeploySettings.Build.allCases.map(\.rawValue)) {
            deploy.build = DeploySettings.Build(rawValue: build) ?? .release
        }
        if let keep = block.integer("keep_releases", in: 2...100, what: "a number of releases (2 keeps a rollback)") {
            deploy.keepReleases = keep
        }
        if let timeout = block.duration("health_timeout") { deploy.healthTimeout = timeout }
        return deploy
    }
}
