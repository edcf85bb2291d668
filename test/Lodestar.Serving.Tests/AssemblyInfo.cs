// The test classes run one after another: each starts servers, and a process's OpenTelemetry meter providers listen to
// every meter of a given name in the process, so two servers alive at once would count each other's requests in /metrics.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
