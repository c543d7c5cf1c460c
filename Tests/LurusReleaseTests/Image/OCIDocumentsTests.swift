import Testing

@testable import LurusRelease

/// The layout's JSON documents, byte for byte.
@Suite struct OCIDocumentsTests {
    let layerDigest = SHA256Digest(hex: String(repeating: "a", count: 64))
    let configurationDigest = SHA256Digest(hex: String(repeating: "c", count: 64))
    let manifestDigest = SHA256Digest(hex: String(repeating: "e", count: 64))

    func text(_ value: CanonicalJSON) -> String { String(decoding: value.bytes, as: UTF8.self) }

    @Test func theConfigurationCarriesTheStartUpAndTheDiffID() {
        let configuration = ImageConfiguration(
            entrypoint: ["/usr/local/bin/gateway"],
            command: ["serve", "--port", "8080"],
            environment: ["TZ": "UTC", "LANG": "C.UTF-8"],
            workingDirectory: "/",
            user: "65532:65532",
            exposedPorts: [.init(9090), .init(8080), .init(8080, .udp)],
            labels: ["org.opencontainers.image.version": "r1"]
        )
        let json = OCIDocuments.configuration(configuration, platform: .linuxAMD64, layerDiffID: self.layerDigest)
        #expect(
            self.text(json)
                == #"{"architecture":"amd64","config":{"Cmd":["serve","--port","8080"],"#
                + #""Entrypoint":["/usr/local/bin/gateway"],"Env":["LANG=C.UTF-8","TZ=UTC"],"#
                + #""ExposedPorts":{"8080/tcp":{},"8080/udp":{},"9090/tcp":{}},"#
                + #""Labels":{"org.opencontainers.image.version":"r1"},"User":"65532:65532","WorkingDir":"/"},"#
                + #""created":"1970-01-01T00:00:00Z","os":"linux","#
                + #""rootfs":{"diff_ids":["sha256:\#(self.layerDigest.hex)"],"type":"layers"}}"#
        )
    }

    @Test func emptyFieldsAreLeftOut() {
        let json = OCIDocuments.configuration(
            ImageConfiguration(entrypoint: []),
            platform: .linuxAMD64,
            layerDiffID: self.layerDigest
        )
        #expect(self.text(json).contains(#""config":{},"#))
    }

    @Test func theManifestPointsAtTheConfigurationAndTheLayer() {
        let manifest = OCIDocuments.manifest(
            configuration: OCIDescriptor(
                mediaType: OCIDescriptor.MediaType.config,
                digest: self.configurationDigest,
                size: 321
            ),
            layer: OCIDescriptor(mediaType: OCIDescriptor.MediaType.layer, digest: self.layerDigest, size: 10240)
        )
        #expect(
            self.text(manifest)
                == #"{"config":{"digest":"sha256:\#(self.configurationDigest.hex)","#
                + #""mediaType":"application/vnd.oci.image.config.v1+json","size":321},"#
                + #""layers":[{"digest":"sha256:\#(self.layerDigest.hex)","#
                + #""mediaType":"application/vnd.oci.image.layer.v1.tar","size":10240}],"#
                + #""mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2}"#
        )
    }

    @Test func theIndexNamesTheImageForContainerdAndForOCITools() throws {
        let index = OCIDocuments.index(
            manifest: OCIDescriptor(
                mediaType: OCIDescriptor.MediaType.manifest,
                digest: self.manifestDigest,
                size: 400
            ),
            name: try ImageReference(parsing: "lurus.local/gateway:r1"),
            platform: .linuxAMD64
        )
        #expect(
            self.text(index)
                == #"{"manifests":[{"annotations":{"io.containerd.image.name":"lurus.local/gateway:r1","#
                + #""org.opencontainers.image.ref.name":"r1"},"digest":"sha256:\#(self.manifestDigest.hex)","#
                + #""mediaType":"application/vnd.oci.image.manifest.v1+json","#
                + #""platform":{"architecture":"amd64","os":"linux"},"size":400}],"#
                + #""mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2}"#
        )
        #expect(self.text(OCIDocuments.layout) == #"{"imageLayoutVersion":"1.0.0"}"#)
    }
}
