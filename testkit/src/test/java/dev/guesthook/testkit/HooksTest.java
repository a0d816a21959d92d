package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Hooks#stock()} finds the stock hooks in the guesthook-hooks jar on the classpath. */
class HooksTest {
  @TempDir Path dir;

  @Test
  void theHookFilesOfTheJarBecomeAFolderOnlyTheTestCanWrite() throws IOException {
    Path jar =
        jar(
            "dev/guesthook/hooks/stock/",
            "dev/guesthook/hooks/stock/mdev.groovy",
            "dev/guesthook/hooks/stock/sriov-vf.groovy",
            "dev/guesthook/hooks/stock/README.md",
            "dev/guesthook/hooks/other.groovy");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      Path folder = Hooks.stockFrom(loader);

      assertEquals(List.of("mdev.groovy", "sriov-vf.groovy"), names(folder));
      assertEquals(
          "hook('dev/guesthook/hooks/stock/mdev.groovy') {}",
          Files.readString(folder.resolve("mdev.groovy")));
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(folder);
      assertTrue(
          !mode.contains(PosixFilePermission.GROUP_WRITE)
              && !mode.contains(PosixFilePermission.OTHERS_WRITE),
          "the hook loader refuses a folder others can write: " + mode);
    }
  }

  @Test
  void withoutTheHooksArtifactItSaysWhichDependencyToAdd() throws IOException {
    try (URLClassLoader loader = new URLClassLoader(new URL[0], null)) {
      IllegalStateException missing =
          assertThrows(IllegalStateException.class, () -> Hooks.stockFrom(loader));
      assertTrue(
          missing.getMessage().contains("dev.guesthook:guesthook-hooks"), missing.getMessage());
    }
  }

  private Path jar(String... entries) throws IOException {
    Path jar = dir.resolve("guesthook-hooks.jar");
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      for (String entry : entries) {
        out.putNextEntry(new JarEntry(entry));
        if (!entry.endsWith("/")) {
          out.write(("hook('" + entry + "') {}").getBytes(StandardCharsets.UTF_8));
        }
        out.closeEntry();
      }
    }
    return jar;
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
