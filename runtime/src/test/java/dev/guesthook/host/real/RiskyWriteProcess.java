package dev.guesthook.host.real;

import dev.guesthook.host.HostPath;
import dev.guesthook.testsupport.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A guesthook process making one risky write through the real host, for a test to kill with -9
 * while the write hangs: {@code ROOT PATH VALUE}.
 */
public final class RiskyWriteProcess {
  private RiskyWriteProcess() {}

  public static void main(String[] args) {
    new LinuxHost(Path.of(args[0])).write(HostPath.parse(args[1]), args[2]);
  }

  /** Starts one, on this test run's class path. */
  static Process start(Path root, HostPath path, String value) throws java.io.IOException {
    List<String> argv = new ArrayList<>(ChildJvm.command(RiskyWriteProcess.class.getName()));
    argv.addAll(List.of(root.toString(), path.toString(), value));
    return new ProcessBuilder(argv)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }
}
