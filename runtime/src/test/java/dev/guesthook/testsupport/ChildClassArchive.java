package dev.guesthook.testsupport;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A class-data archive of what a one-shot phase loads from this test run's classpath, made once per
 * test JVM, as the launcher makes one per build: a child JVM maps those classes instead of reading
 * and parsing them again (a one-shot phase with the stock hooks took 20% less wall time).
 *
 * <p>JDK 17 archives classes from jars only and refuses a classpath with a class folder in it, so
 * the run's class folders (target/classes, target/test-classes) are copied into jars first. The
 * archive is recorded from a dry-run pre-start with the stock hooks on a mixed sandbox. When it
 * cannot be made, children run on the plain classpath, only slower.
 */
final class ChildClassArchive {
  private static ChildClassArchive made;

  private final String classpath;
  private final List<String> options;

  private ChildClassArchive(String classpath, List<String> options) {
    this.classpath = classpath;
    this.options = options;
  }

  /** The classpath children run on. */
  String classpath() {
    return classpath;
  }

  /** The options that map the archive; none when there is none. */
  List<String> options() {
    return options;
  }

  /** This test JVM's, made on first use. */
  static synchronized ChildClassArchive ofThisRun() {
    if (made == null) {
      made = make();
    }
    return made;
  }

  private static ChildClassArchive make() {
    String plain = System.getProperty("java.class.path");
    try {
      Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "child-jvm-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(work)));
      String jars = jarredClassFolders(plain, work);
      Path archive = work.resolve("classes.jsa");
      record(jars, archive, work.resolve("training"));
      if (Files.isRegularFile(archive)) {
        return new ChildClassArchive(
            jars, List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:cds*=off"));
      }
      System.err.println("child JVMs run without a class-data archive: none was recorded");
    } catch (IOException | UncheckedIOException e) {
      System.err.println("child JVMs run without a class-data archive: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new ChildClassArchive(plain, List.of());
  }

  /** The classpath with each class folder replaced by a jar of it, made under {@code work}. */
  private static String jarredClassFolders(String classpath, Path work) throws IOException {
    List<String> entries = new ArrayList<>();
    int folders = 0;
    for (String entry : classpath.split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (Files.isDirectory(path)) {
        Path jar = work.resolve("folder-" + (++folders) + ".jar");
        jar(path, jar);
        entries.add(jar.toString());
      } else {
        entries.add(entry);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void jar(Path folder, Path jar) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(folder.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, (OutputStream) out);
        out.closeEntry();
      }
    }
  }

  /** Records the archive from a dry-run pre-start of the mixed sandbox's VM 501. */
  private static void record(String classpath, Path archive, Path training)
      throws IOException, InterruptedException {
    List<String> argv =
        new ArrayList<>(
            ChildJvm.command(
                List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds*=off"),
                classpath,
                "dev.guesthook.cli.Main"));
    Path stock = Path.of("..", "hooks", "stock").toAbsolutePath().normalize();
    List<String> phase =
        List.of(
            "--root",
            training.toString(),
            "--simulate",
            "--hooks",
            stock.toString(),
            "--dry-run",
            "501",
            "pre-start");
    boolean withStockHooks = Files.isDirectory(stock);
    if (withStockHooks) {
      Sandbox.create(training, SandboxProfile.MIXED);
      SharedCompiledHooks.seed(phase);
      argv.addAll(phase);
    } else {
      argv.add("--version");
    }
    Process process =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return;
    }
    if (withStockHooks) {
      SharedCompiledHooks.harvest(phase);
    }
  }

  private static void deleteQuietly(Path work) {
    try {
      SandboxCopies.deleteTree(work);
    } catch (UncheckedIOException e) {
      // target/ is the build's: left for the next clean.
    }
  }
}
