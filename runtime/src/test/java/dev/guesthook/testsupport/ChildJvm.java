package dev.guesthook.testsupport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command of a JVM of a test's own (a one-shot phase, a process killed mid-step, a lock holder
 * in another process), started as the launcher starts a phase: C1 only with one compiler thread,
 * serial GC, the launcher's heap and metaspace bounds, and this run's classes mapped from a
 * class-data archive ({@link ChildClassArchive}). The kill loops start one per step: such children
 * took a third of the runtime suite's CPU.
 */
public final class ChildJvm {
  /** The launcher's flags for a one-shot phase (guesthook, packaging/deb/guesthook). */
  private static final List<String> FLAGS =
      List.of(
          "-XX:TieredStopAtLevel=1",
          "-XX:CICompilerCount=1",
          "-XX:+UseSerialGC",
          "-Xmx128m",
          "-XX:MaxMetaspaceSize=128m");

  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private ChildJvm() {}

  /** {@code java}, its options and {@code mainClass}: the program's arguments go after it. */
  public static List<String> command(String mainClass) {
    return command(List.of(), mainClass);
  }

  /**
   * The same with more JVM options after the usual ones (the last of a flag given twice wins), e.g.
   * the heap bound the launcher gives {@code serve}.
   */
  public static List<String> command(List<String> jvmOptions, String mainClass) {
    // The test JVM verifies these classes already; a child doing it again costs its start 13%
    // (measured, paired).
    List<String> options =
        new ArrayList<>(
            List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-BytecodeVerificationRemote"));
    ChildClassArchive archive = ChildClassArchive.ofThisRun();
    options.addAll(archive.options());
    options.addAll(jvmOptions);
    return command(options, archive.classpath(), mainClass);
  }

  /** {@code java}, the launcher's flags, {@code options}, the classpath and {@code mainClass}. */
  static List<String> command(List<String> options, String classpath, String mainClass) {
    List<String> argv = new ArrayList<>();
    argv.add(JAVA);
    argv.addAll(FLAGS);
    argv.addAll(options);
    argv.addAll(List.of("-cp", classpath, mainClass));
    return argv;
  }
}
