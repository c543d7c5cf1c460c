import LurusCLI

/// The `lurusctl` executable: everything lives in `LurusCLI`.
@main
struct Entrypoint {
    static func main() async {
        Lurusctl.prepareProcess()
        await Lurusctl.main()
    }
}
