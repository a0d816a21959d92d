/**
 * The kit for testing your own guesthook hooks: a VM's lifecycle on a simulated host, assertions on
 * the host it leaves, and recorded lifecycles replayed as tests. Add {@code
 * dev.guesthook:guesthook-testkit} (which brings JUnit 5 and vertx-junit5) and, for the stock
 * hooks, {@code dev.guesthook:guesthook-hooks}, both with test scope.
 *
 * <ul>
 *   <li>{@link dev.guesthook.testkit.Lifecycle}: phases of one VM on a sandbox (made by {@code
 *       dev.guesthook.sandbox.Sandbox.create}), through the real engine, with the hook's settings
 *       and injected faults;
 *   <li>{@link dev.guesthook.testkit.HostAssert}: what the sandbox holds afterwards, any file by
 *       its host path, and what changed since a {@link dev.guesthook.testkit.HostSnapshot};
 *   <li>{@link dev.guesthook.testkit.ReplayTest}: a recorded lifecycle replayed through today's
 *       hooks, failing with a diff;
 *   <li>{@link dev.guesthook.testkit.Hooks#stock()}: the stock hooks as a hook folder.
 * </ul>
 *
 * <p>A complete test of a hook in {@code hooks/} that sets a CPU's governor while VM 503 runs:
 *
 * <pre>{@code
 * class CpuGovernorTest {
 *   static final Path MINE = Path.of("hooks").toAbsolutePath();
 *   static final String GOVERNOR = "/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor";
 *   @TempDir Path root;
 *
 *   @Test
 *   void theGovernorIsSetBeforeTheVmStarts() throws Exception {
 *     Sandbox.create(root, SandboxProfile.MIXED);
 *     Lifecycle.Outcome outcome = Lifecycle.of(503).on(root)
 *         .hooks(Hooks.stock(), MINE)
 *         .settings("cpu-governor", Map.of("cpus", List.of(2), "governor", "performance"))
 *         .preStart()
 *         .run(); // or run(vertx) on a vertx-junit5 test's Vert.x, a Future of the outcome
 *
 *     assertEquals(0, outcome.exitCode(), String.join("\n", outcome.lines()));
 *     HostAssert.assertThat(root).file(GOVERNOR).hasContent("performance");
 *   }
 *
 *   @ReplayTest(value = "recordings/503.jsonl", hooks = {ReplayTest.STOCK, "hooks"})
 *   void theRecordedLifecycleStillReplays() {}
 * }
 * }</pre>
 */
package dev.guesthook.testkit;
