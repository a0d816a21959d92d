package dev.guesthook.host.real;

import dev.guesthook.host.CallsGivenUp;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host process with stdin at EOF, stdout and stderr merged and streamed line by line, and a
 * hard timeout that kills the whole process tree: a hung helper must never hang a VM start.
 */
public final class ProcessRunner {
  /** Output kept for the result; the stream callback still sees every line. */
  static final int MAX_KEPT_OUTPUT = 64 * 1024;

  public CommandResult run(HostCommand command) {
    if (CallsGivenUp.ofCurrentThread()) {
      // Started, it would be killed part-way, a helper script's change half made (adversary pass).
      throw new HostException(
          "ECANCELED", "given up on before running " + command.display() + "; nothing run");
    }
    ProcessBuilder builder = new ProcessBuilder(command.argv()).redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(command.environment());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new HostException("ENOEXEC", "cannot run " + command.display() + ": " + e.getMessage());
    }
    StringBuilder output = new StringBuilder();
    Thread pump = new Thread(() -> pumpLines(process, command, output), "guesthook-output");
    pump.setDaemon(true);
    pump.start();
    CallsGivenUp.Ended how;
    try {
      how =
          CallsGivenUp.await(
              nanos -> process.waitFor(nanos, TimeUnit.NANOSECONDS), command.timeout().toNanos());
    } catch (InterruptedException e) {
      // The dispatcher gave up on the hook: take its processes down with it.
      killTree(process);
      Thread.currentThread().interrupt();
      throw new HostException("EINTR", "interrupted while running " + command.display());
    }
    boolean finished = how == CallsGivenUp.Ended.DONE;
    if (!finished) {
      killTree(process); // past its timeout, or given up on with its hook
    }
    joinQuietly(pump);
    if (how == CallsGivenUp.Ended.GIVEN_UP) {
      throw new HostException(
          "ECANCELED",
          "given up on while running " + command.display() + " (its hook timed out); killed");
    }
    synchronized (output) {
      return finished
          ? CommandResult.ran(process.exitValue(), output.toString())
          : new CommandResult(CommandResult.Status.TIMED_OUT, -1, output.toString());
    }
  }

  private static void pumpLines(Process process, HostCommand command, StringBuilder output) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        command.outputLines().accept(line);
        synchronized (output) {
          if (output.length() < MAX_KEPT_OUTPUT) {
            output.append(line).append('\n');
          }
        }
      }
    } catch (IOException ignored) {
      // The stream closes when the process tree is killed; what was read is kept.
    }
  }

  private static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static void joinQuietly(Thread pump) {
    try {
      // A daemonised grandchild may hold the pipe open; do not wait for it forever.
      pump.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
