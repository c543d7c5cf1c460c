import Foundation
import LurusEngine
import Testing

@testable import LurusBackup

/// Reading what the node-side scripts print, and what they are given: records, listings, the checker's
/// spec, the credentials' quoting.
@Suite struct ScriptOutputTests {
    static let sha = String(repeating: "ab", count: 32)

    @Test func recordsBecomeTheComponentsPartOfTheManifest() throws {
        let output = """
            version\t18.16.1
            engine\tlurus_logs\trequest_log\tReplacingMergeTree
            object\tclickhouse-schema\tlurus_logs\trequest_log\tclickhouse/lurus_logs.request_log.sql.zst.0000\t120\t\(Self.sha)
            column\tlurus_logs\trequest_log\tid\tString
            column\tlurus_logs\trequest_log\tcost\tDecimal(18, 6)
            object\tclickhouse-data\tlurus_logs\trequest_log\tclickhouse/lurus_logs.request_log.native.zst.0000\t4096\t\(Self.sha)
            object\tclickhouse-data\tlurus_logs\trequest_log\tclickhouse/lurus_logs.request_log.native.zst.0001\t17\t\(Self.sha)
            table\tlurus_logs\trequest_log\t2500\t1234567890123

            """
        let part = try ScriptRecords.component(.clickhouse, node: "lab", method: "native", output: output)
        #expect(part.serverVersion == "18.16.1")
        #expect(part.objects.count == 3)
        #expect(part.objects[0].engine == "ReplacingMergeTree")
        #expect(part.objects[1].engine == nil)
        #expect(part.objects[1].stream == "clickhouse/lurus_logs.request_log.native.zst")
        #expect(part.objects[2].stream == part.objects[1].stream)
        #expect(part.objects.map(\.bytes) == [120, 4096, 17])
        #expect(
            part.tables == [
                TableSnapshot(
                    database: "lurus_logs",
                    table: "request_log",
                    rows: 2500,
                    contentHash: "1234567890123",
                    columns: [
                        TableColumn(name: "id", type: "String"), TableColumn(name: "cost", type: "Decimal(18, 6)"),
                    ]
                )
            ]
        )
    }

    @Test(arguments: [
        ("object\tpostgres-database\tdb\t\tk.0000\t12\tnot-a-hash", "has no SHA-256"),
        ("object\tmystery\tdb\t\tk.0000\t12\t\(sha)", "names no known content"),
        ("object\tpostgres-database\tdb\t\tk.0000\t-1\t\(sha)", "has no size"),
        ("table\tdb\tpublic.t\tmany\t0", "has no row count"),
        ("wal\t7716436040580483669\t0000000100000000000000ZZ", "names no WAL segment"),
        ("wal\t\t000000010000000000000003", "has no system identifier"),
        ("something else", "is not a record"),
    ])
    func aLineThatDoesNotReadIsAnErrorNamingIt(line: String, why: String) {
        let output = "version\t15.8\n\(line)\n"
        #expect {
            try ScriptRecords.component(.postgres, node: "heart", method: "pg_dump", output: output)
        } throws: { error in
            let text = "\(error)"
            return text.contains("line 2") && text.contains(why) && text.contains("heart")
        }
    }

    @Test func aBaseBackupsRecordNamesItsServerAndFirstSegment() throws {
        let output = """
            version\t15.8
            wal\t7716436040580483669\t00000002000000000000001A
            object\tpostgres-base\t\t\tpostgres/base.tar.zst.0000\t4096\t\(Self.sha)

            """
        let part = try ScriptRecords.component(.postgres, node: "heart", method: "pg_basebackup", output: output)
        #expect(part.systemIdentifier == "7716436040580483669")
        #expect(part.walStart == "00000002000000000000001A")
        #expect(part.hasBase)
        let logical = try ScriptRecords.component(.postgres, node: "heart", method: "pg_dump", output: "version\t15\n")
        #expect(!logical.hasBase && logical.walStart == nil)
    }

    @Test func anOutputWithoutTheServersVersionIsRefused() {
        #expect(throws: BackupError.self) {
            try ScriptRecords.component(.postgres, node: "heart", method: "pg_dump", output: "")
        }
    }

    @Test func listingsReadKeysTokensAndUploads() {
        let page = ListingXML.objects(
            """
            <?xml version="1.0"?><ListBucketResult><IsTruncated>true</IsTruncated>\
            <Contents><Key>lurus/a&amp;b/1</Key><Size>3</Size></Contents>\
            <Contents><Key>lurus/c</Key></Contents><NextContinuationToken>tok+/=</NextContinuationToken></ListBucketResult>
            """
        )
        #expect(page.keys == ["lurus/a&b/1", "lurus/c"])
        #expect(page.nextToken == "tok+/=")
        let last = ListingXML.objects("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
        #expect(last.keys.isEmpty && last.nextToken == nil)
        let uploads = ListingXML.uploads(
            "<ListMultipartUploadsResult><Upload><Key>lurus/x</Key><UploadId>u1</UploadId></Upload></ListMultipartUploadsResult>"
        )
        #expect(uploads.map(\.key) == ["lurus/x"] && uploads.map(\.uploadID) == ["u1"])
    }

    @Test func queriesAreEncodedAndSortedAsSigV4SignsThem() {
        #expect(QueryEncoding.encode("a/b c+~") == "a%2Fb%20c%2B~")
        #expect(
            QueryEncoding.query([("prefix", "lurus/lab/"), ("list-type", "2"), ("continuation-token", "x=")])
                == "continuation-token=x%3D&list-type=2&prefix=lurus%2Flab%2F"
        )
    }

    @Test func credentialsAreQuotedForCurlsConfig() {
        let target = S3Target(
            endpoint: "http://s3",
            bucket: "b",
            region: "r",
            accessKey: Secret(name: "a", bytes: Array("AK".utf8)),
            secretKey: Secret(name: "s", bytes: Array("se\"cr\\et".utf8))
        )
        #expect(String(decoding: target.curlConfig, as: UTF8.self) == "user = \"AK:se\\\"cr\\\\et\"\n")
        #expect(target.arguments == ["http://s3", "b", "r"])
    }

    @Test func theCheckersSpecListsEveryObjectAndTable() {
        let part = ComponentBackup(
            component: .clickhouse,
            node: "lab",
            serverVersion: "18.16.1",
            method: "native",
            objects: [
                BackupObject(
                    key: "clickhouse/d.t.native.zst.0000",
                    content: .clickhouseData,
                    database: "d",
                    table: "t",
                    bytes: 1,
                    sha256: Self.sha
                )
            ],
            tables: [
                TableSnapshot(
                    database: "d",
                    table: "t",
                    rows: 2,
                    contentHash: "9",
                    columns: [TableColumn(name: "a", type: "UInt8")]
                )
            ]
        )
        let spec = String(decoding: ComponentJobs.spec(of: part), as: UTF8.self)
        #expect(
            spec == """
                object\tclickhouse/d.t.native.zst\tclickhouse-data\td\tt\tclickhouse/d.t.native.zst.0000\t\(Self.sha)
                table\td\tt\t2\t9
                column\td\tt\ta\tUInt8

                """
        )
    }

    @Test func theMetricNamesTheComponentAndTheTime() throws {
        let id = BackupID("20261203T030000Z")!
        let part = ComponentBackup(
            component: .postgres,
            node: "heart",
            serverVersion: "15.8",
            method: "pg_dump",
            objects: [BackupObject(key: "k", content: .postgresDatabase, bytes: 2048, sha256: Self.sha)]
        )
        let manifest = BackupManifest(
            cluster: "lurus",
            id: id,
            startedAt: id.startedAt,
            finishedAt: id.startedAt.addingTimeInterval(42),
            tool: "lurusctl test",
            components: [part]
        )
        let text = BackupMetrics.text(manifest, component: part)
        #expect(
            text.contains(
                "lurus_backup_last_success_timestamp_seconds{cluster=\"lurus\",component=\"postgres\"} \(Int(id.startedAt.timeIntervalSince1970) + 42)\n"
            )
        )
        #expect(text.contains("lurus_backup_last_size_bytes{cluster=\"lurus\",component=\"postgres\"} 2048\n"))
    }
}
