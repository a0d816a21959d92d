package dev.guesthook.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The test bed VM ({@code testbed/run-vm}): booted once for the whole suite, driven over its
 * control shell, its console kept in {@code testbed/target/console.log} for when something goes
 * wrong.
 */
final class TestbedVm implements AutoCloseable {
  /**
   * A healthy boot takes about 4 s under TCG; on a host whose cores are starved (load 40 on 2
   * cores) the guest's kernel stalled past 90 s and the whole suite failed on the boot alone.
   */
  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);

  private final Process qemu;
  private final GuestShell shell;
  private final Path share;
  private final double bootSeconds;

  private TestbedVm(Process qemu, GuestShell shell, Path share, double bootSeconds) {
    this.qemu = qemu;
    this.shell = shell;
    this.share = share;
    this.bootSeconds = bootSeconds;
  }

  static TestbedVm boot(Testbed testbed) throws IOException, InterruptedException {
    Path out = testbed.output();
    Path socket = out.resolve("ctl.sock");
    Path share = out.resolve("share");
    Files.createDirectories(share);
    long start = System.nanoTime();
    Process qemu =
        new ProcessBuilder(
                testbed.dir().resolve("run-vm").toString(), socket.toString(), share.toString())
            .redirectErrorStream(true)
            .start();
    CountDownLatch ready = new CountDownLatch(1);
    List<String> console = keepConsole(qemu, out.resolve("console.log"), ready);
    if (!ready.await(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      qemu.destroyForcibly();
      throw new IllegalStateException(
          "the test bed VM did not come up within "
              + BOOT_TIMEOUT.toSeconds()
              + " s; its console:\n"
              + String.join("\n", console));
    }
    GuestShell shell = GuestShell.connect(socket);
    shell.run("true", Duration.ofSeconds(30)).orFail("the first command");
    double bootSeconds = (System.nanoTime() - start) / 1e9;
    return new TestbedVm(qemu, shell, share, bootSeconds);
  }

  /** Copies the console to a file and opens the latch at the guest's "TB: ready" line. */
  private static List<String> keepConsole(Process qemu, Path log, CountDownLatch ready)
      throws IOException {
    List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  file.println(line);
                  lines.add(line);
                  if (line.contains("TB: ready")) {
                    ready.countDown();
                  }
                }
              } catch (IOException ignored) {
                // QEMU went away; boot() reports the console it got.
              } finally {
                file.close();
              }
            },
            "testbed-console");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  GuestShell.Result run(String command) {
    return shell.run(command);
  }

  GuestShell.Result run(String command, Duration timeout) {
    return shell.run(command, timeout);
  }

  /** The guest's writable {@code /share}, seen from the host. */
  Path share() {
    return share;
  }

  double bootSeconds() {
    return bootSeconds;
  }

  @Override
  public void close() throws Exception {
    shell.close();
    qemu.destroy();
    if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
      qemu.destroyForcibly();
    }
  }
}
