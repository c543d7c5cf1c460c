import Testing

/// Every test that uses the local lab, run one at a time: they share four hosts, a bridge and fixed
/// addresses. Each test brings the lab up itself (`scripts/lab up` does nothing when it is up).
@Suite(.serialized) struct LabIntegrationTests {}
