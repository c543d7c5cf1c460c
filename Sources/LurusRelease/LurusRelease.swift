/// Shipping the bundled services in `services/`: what each service is (`Catalog/`), how a release is built
/// and named (`Build/`), the OCI image lurusctl writes itself (`Image/`), the two runtimes (`Systemd/`,
/// `Kubernetes/`), and the deploy, rollback and releases operations over them.
public enum LurusRelease {}
