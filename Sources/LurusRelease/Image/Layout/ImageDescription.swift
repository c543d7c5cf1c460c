/// Everything an image is made from: its name, platform, start-up configuration and files.
public struct ImageDescription: Sendable, Hashable {
    /// `lurus.local/gateway:RELEASEID`.
    public var name: String
    public var platform: ImagePlatform
    public var configuration: ImageConfiguration
    /// In any order: the layer sorts them, and adds the directories they lie in.
    public var files: [ImageFile]

    public init(
        name: String,
        platform: ImagePlatform = .linuxAMD64,
        configuration: ImageConfiguration,
        files: [ImageFile]
    ) {
        self.name = name
        self.platform = platform
        self.configuration = configuration
        self.files = files
    }
}
