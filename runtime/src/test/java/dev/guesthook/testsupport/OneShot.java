package dev.guesthook.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The guesthook CLI in a process of its own, as Proxmox starts the one-shot path (or systemd starts
 * {@code guesthook serve}): for what needs another OS process (locks between processes, a process
 * that dies mid-phase).
 */
public final class OneShot {
  private final Process process;
  private final List<String> args;

  private OneShot(Process process, List<String> args) {
    this.process = process;
    this.args = args;
  }

  public static OneShot start(List<String> args) throws IOException {
    return start(Map.of(), args);
  }

  /** The same with more environment, e.g. a PATH that finds a stand-in for a Proxmox tool first. */
  public static OneShot start(Map<String, String> environment, List<String> args)
      throws IOException {
    return start(List.of(), environment, args);
  }

  /** The same in a JVM with more options, e.g. the heap bound the launcher gives {@code serve}. */
  public static OneShot start(
      List<String> jvmOptions, Map<String, String> environment, List<String> args)
      throws IOException {
    List<String> argv = new ArrayList<>(ChildJvm.command(jvmOptions, "dev.guesthook.cli.Main"));
    argv.addAll(args);
    SharedCompiledHooks.seed(args);
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    return new OneShot(process, List.copyOf(args));
  }

  /**
   * Waits for it to end: its exit code (137 when it died as by kill -9) and everything it printed.
   */
  public Cli.Result await() throws IOException, InterruptedException {
    return await(Duration.ofSeconds(120));
  }

  /** The same, failing (and killing it) when it has not ended within {@code bound}. */
  public Cli.Result await(Duration bound) throws IOException, InterruptedException {
    // Read aside: a process that never ends never closes its output either.
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    boolean ended = process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
    if (!ended) {
      process.destroyForcibly();
    }
    String printed = out.join();
    if (!ended) {
      throw new AssertionError(
          "guesthook did not end within " + bound.toSeconds() + " s:\n" + printed);
    }
    SharedCompiledHooks.harvest(args);
    return new Cli.Result(process.exitValue(), printed, "");
  }

  /** Whether it still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills it as kill -9 does, and waits for it: no finally, no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** Stops it as systemd stops a service (SIGTERM) and waits for it. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  public static Cli.Result run(List<String> args) throws IOException, InterruptedException {
    return start(args).await();
  }
}
