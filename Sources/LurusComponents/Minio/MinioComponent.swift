import LurusEngine
import LurusInventory
import LurusRemote

/// `minio`: the pinned MinIO release binary (checked against `components.minio.sha256`), run by systemd as
/// `minio-user` with its objects in `data_dir`, its root credentials from the secrets `minio/root-user` and
/// `minio/root-password`, and the backup bucket created if missing.
///
/// MinIO takes one listen address per port, so the API (`api_port`) and console (`console_port`) listen on
/// the node's mesh address only, not on localhost: everything, lurusctl's own bucket check included, talks
/// to the mesh address. The credentials live in `/etc/default/minio` (0600); the bucket script reads them
/// there on the node and hands them to curl on stdin, so they never pass through any argv. MinIO's
/// certificate folder is `/etc/minio/certs`, left empty: plain HTTP on the mesh (Tailscale encrypts it).
enum MinioComponent: ComponentDefinition {
    static let rootUser = "minio/root-user"
    static let rootPassword = "minio/root-password"
    static let user = "minio-user"
    static let environmentPath = "/etc/default/minio"
    static let certsDirectory = "/etc/minio/certs"

    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] {
        [SecretNeed(self.rootUser), SecretNeed(self.rootPassword)]
    }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        let release = try MinioRelease.of(context)
        let user = try context.secret(self.rootUser)
        let password = try context.secret(self.rootPassword)
        try MinioCredentials.check(user, minimumLength: 3, in: context)
        try MinioCredentials.check(password, minimumLength: 8, in: context)
        let mesh = try context.meshAddress()
        let apiPort = context.port("api_port")
        let dataDirectory = context.text("data_dir")
        let bucket = context.text("bucket")
        let binary = release.download
        let environment = File(
            path: self.environmentPath,
            text: try context.render(
                "minio.env",
                [
                    "root_user": user.text,
                    "root_password": password.text,
                    "data_dir": dataDirectory,
                    "api_address": MeshAddresses.hostPort(mesh, apiPort),
                    "console_address": MeshAddresses.hostPort(mesh, context.port("console_port")),
                    "certs_dir": self.certsDirectory,
                ]
            ),
            mode: 0o600,
            sensitive: true
        )
        let unit = SystemdUnit(
            name: "minio.service",
            content: try context.render(
                "minio.service",
                [
                    "version": release.version,
                    "user": self.user,
                    "binary": binary.path,
                    "environment_file": environment.path,
                ]
            )
        )
        let bucketScript = try context.render("bucket.sh", [:])
        let bucketArguments = [mesh, String(apiPort), bucket]
        let resources: [Resource.Kind] = [
            .group(Group(self.user)),
            .user(User(self.user)),
            .download(binary),
            .directory(Directory(path: dataDirectory, mode: 0o750, owner: self.user, group: self.user)),
            .directory(Directory(path: "/etc/minio", mode: 0o750, group: self.user)),
            .directory(Directory(path: self.certsDirectory, mode: 0o750, owner: self.user, group: self.user)),
            .file(environment),
            .systemdUnit(unit),
            .service(Service("minio", restartOn: [environment.id, unit.id, binary.id])),
            .command(
                Command(
                    "minio bucket \(bucket)",
                    ShellScript("minio-bucket", bucketScript, bucketArguments).command,
                    unless: ShellScript("minio-bucket", bucketScript, bucketArguments + ["check"]).command,
                    timeout: .seconds(120)
                )
            ),
        ]
        return (resources, [])
    }
}
