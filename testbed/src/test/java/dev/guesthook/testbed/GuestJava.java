package dev.guesthook.testbed;

import java.io.File;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Runs a class of this test run in the guest on the host's own JDK and class path, which the guest
 * sees read-only under {@code /host}: nothing is copied into the VM.
 */
final class GuestJava {
  private GuestJava() {}

  static GuestShell.Result run(TestbedVm vm, Class<?> main, Duration timeout, String... args) {
    return vm.run("cd /tmp && " + command(main, args), timeout);
  }

  /** The shell command that runs {@code main} in the guest. */
  static String command(Class<?> main, String... args) {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String guestClassPath =
        Arrays.stream(classPath.split(File.pathSeparator))
            .filter(entry -> !entry.isBlank())
            .map(entry -> "/host" + new File(entry).getAbsolutePath())
            .collect(Collectors.joining(":"));
    String java = "/host" + System.getProperty("java.home") + "/bin/java";
    return java
        + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "
        + guestClassPath
        + " "
        + main.getName()
        + " "
        + String.join(" ", args);
  }
}
