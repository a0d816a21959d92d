package dev.guesthook.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The hookscript client as Proxmox runs it, against a runtime's socket, with a one-shot path that
 * does not exist: a call the runtime does not take shows as a failure, never as a phase run
 * elsewhere.
 */
public final class HookscriptClient {
  public static final Path SCRIPT =
      Path.of("src/main/scripts/guesthook-hookscript").toAbsolutePath();

  private HookscriptClient() {}

  /**
   * Runs {@code guesthook-hookscript VMID PHASE}; fails the test when it has not ended within
   * {@code bound}. Its output goes to a file of its own in {@code folder}, so clients may run at
   * once and one that never ends still shows what it said.
   */
  public static Cli.Result call(Path socket, Path folder, int vmid, String phase, Duration bound)
      throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(SCRIPT.toString(), String.valueOf(vmid), phase)
            .redirectErrorStream(true);
    builder
        .environment()
        .putAll(
            Map.of(
                "GUESTHOOK_SOCKET",
                socket.toString(),
                "GUESTHOOK_ONESHOT",
                folder.resolve("no-oneshot").toString()));
    Path said = folder.resolve("client-" + vmid + "-" + System.nanoTime() + ".out");
    builder.redirectOutput(said.toFile());
    Process process = builder.start();
    process.getOutputStream().close();
    boolean answered = process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
    process.destroyForcibly();
    String out = Files.readString(said);
    assertTrue(answered, () -> "no answer within " + bound + "; so far:\n" + out);
    return new Cli.Result(process.exitValue(), out, "");
  }
}
