import Foundation
import Testing

@testable import LurusBackup

@Suite struct BackupIDTests {
    @Test func anIdIsTheUTCSecondItStartedAndSortsAsTimeDoes() throws {
        let start = Date(timeIntervalSince1970: 1_796_318_280.75)  // 2026-12-03T17:18:00.75Z
        let id = BackupID(startedAt: start)
        #expect(id.text == "20261203T171800Z")
        #expect(id.startedAt == Date(timeIntervalSince1970: 1_796_318_280))
        #expect(BackupID("20261203T171800Z") == id)
        let later = BackupID(startedAt: start.addingTimeInterval(3600 * 24 * 40))
        #expect(later.text == "20270112T171800Z" && id < later)
        #expect(BackupID(startedAt: Date(timeIntervalSince1970: 951_782_400)).text == "20000229T000000Z", "a leap day")
    }

    @Test(arguments: [
        "", "20261203T171800", "2026-12-03T17:18:00Z", "20261303T171800Z", "20261203T246000Z", "x0261203T171800Z",
    ])
    func notAnId(text: String) {
        #expect(BackupID(text) == nil)
    }
}

@Suite struct BackupManifestTests {
    static func manifest() -> BackupManifest {
        let id = BackupID("20261203T171800Z")!
        return BackupManifest(
            cluster: "lurus-lab",
            id: id,
            startedAt: id.startedAt,
            finishedAt: id.startedAt.addingTimeInterval(42),
            tool: "lurusctl 0.1.0",
            components: [
                ComponentBackup(
                    component: .postgres,
                    node: "heart",
                    serverVersion: "15.10",
                    method: "pg_dump -Fc",
                    objects: [
                        BackupObject(
                            key: "postgres/globals.sql.zst",
                            content: .postgresGlobals,
                            bytes: 812,
                            sha256: String(repeating: "a", count: 64)
                        ),
                        BackupObject(
                            key: "postgres/lurus_billing.dump.zst",
                            content: .postgresDatabase,
                            database: "lurus_billing",
                            bytes: 1_048_576,
                            sha256: String(repeating: "b", count: 64)
                        ),
                    ],
                    tables: [
                        TableSnapshot(
                            database: "lurus_billing",
                            table: "public.ledger",
                            rows: 5000,
                            contentHash: "-123456789"
                        )
                    ]
                ),
                ComponentBackup(
                    component: .k3s,
                    node: "brain",
                    serverVersion: "v1.31.4+k3s1",
                    method: "k3s sqlite",
                    objects: []
                ),
            ]
        )
    }

    @Test func itRoundTripsAsSortedSnakeCaseJSON() throws {
        let manifest = Self.manifest()
        let data = try manifest.encoded()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"started_at\" : \"2026-12-03T17:18:00Z\""))
        #expect(text.contains("\"content_hash\" : \"-123456789\"") && text.contains("\"server_version\" : \"15.10\""))
        #expect(text.contains("\"content\" : \"postgres-database\""))
        #expect(try BackupManifest.decode(data, source: "m.json") == manifest)
        #expect(try manifest.encoded() == data, "the same manifest gives the same bytes")
        #expect(manifest.storedBytes == 1_049_388)
        #expect(manifest.objects.map(\.key) == ["postgres/globals.sql.zst", "postgres/lurus_billing.dump.zst"])
        #expect(manifest.component(.k3s)?.node == "brain" && manifest.component(.clickhouse) == nil)
    }

    @Test func aNewerFormatOrABrokenManifestIsRefusedNamingWhere() throws {
        var newer = try JSONSerialization.jsonObject(with: try Self.manifest().encoded()) as! [String: Any]
        newer["format"] = 2
        let refused = #expect(throws: BackupError.self) {
            try BackupManifest.decode(try JSONSerialization.data(withJSONObject: newer), source: "b/manifest.json")
        }
        #expect(refused?.problem == "b/manifest.json: manifest format 2 is newer than this lurusctl reads (1)")

        var broken = try JSONSerialization.jsonObject(with: try Self.manifest().encoded()) as! [String: Any]
        var components = broken["components"] as! [[String: Any]]
        var objects = components[0]["objects"] as! [[String: Any]]
        objects[1].removeValue(forKey: "sha256")
        components[0]["objects"] = objects
        broken["components"] = components
        let missing = #expect(throws: BackupError.self) {
            try BackupManifest.decode(try JSONSerialization.data(withJSONObject: broken), source: "b/manifest.json")
        }
        #expect(missing?.problem == "b/manifest.json: not a backup manifest: components[0].objects[1].sha256: missing")

        broken = try JSONSerialization.jsonObject(with: try Self.manifest().encoded()) as! [String: Any]
        broken["id"] = "yesterday"
        let badID = #expect(throws: BackupError.self) {
            try BackupManifest.decode(try JSONSerialization.data(withJSONObject: broken), source: "b/manifest.json")
        }
        #expect(badID?.problem.contains("id: \"yesterday\" is not a backup id") == true, "\(String(describing: badID))")
    }
}

@Suite struct BackupLayoutTests {
    @Test func keysAreUnderThePrefixClusterAndIdAndAListingGroupsThem() {
        let layout = BackupLayout(prefix: "/team/backups/", cluster: "lurus")
        let id = BackupID("20261203T171800Z")!
        #expect(layout.root == "team/backups/lurus/")
        #expect(
            layout.key("postgres/globals.sql.zst", in: id)
                == "team/backups/lurus/20261203T171800Z/postgres/globals.sql.zst"
        )
        #expect(layout.manifestKey(of: id) == "team/backups/lurus/20261203T171800Z/manifest.json")
        #expect(BackupLayout(prefix: "", cluster: "lurus").root == "lurus/")

        let listed = layout.backups(in: [
            "team/backups/lurus/20261203T171800Z/postgres/globals.sql.zst",
            "team/backups/lurus/20261203T171800Z/manifest.json",
            "team/backups/lurus/20261202T171800Z/postgres/globals.sql.zst",
            "team/backups/lurus/wal/000000010000000000000001",
            "team/backups/other/20261203T171800Z/manifest.json",
            "team/backups/lurus/20261201T171800Z/manifest.json",
        ])
        #expect(listed.map(\.id.text) == ["20261201T171800Z", "20261202T171800Z", "20261203T171800Z"])
        #expect(listed.map(\.hasManifest) == [true, false, true])
        #expect(listed[1].keys == ["team/backups/lurus/20261202T171800Z/postgres/globals.sql.zst"])
    }
}
