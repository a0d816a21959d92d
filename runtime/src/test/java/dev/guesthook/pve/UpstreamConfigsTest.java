package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The VM configs of upstream qemu-server's own test suite, read from {@code
 * ../shared/pve-upstream/} beside the project (they are not part of it; see that folder's README).
 * Without the folder these tests are skipped and say so.
 */
class UpstreamConfigsTest {
  static final Path UPSTREAM =
      Path.of("")
          .toAbsolutePath()
          .getParent()
          .getParent()
          .resolve("shared")
          .resolve("pve-upstream")
          .resolve("qemu-server");

  static final String ABSENT =
      "upstream qemu-server test data not found at "
          + UPSTREAM
          + ": put upstream's src/test/ files there (see ../shared/pve-upstream/README.md)";

  /** Shows up as one skipped test (with the reason) when the data is not beside the project. */
  @org.junit.jupiter.api.Test
  void upstreamTestDataIsThere() {
    if (!Files.isDirectory(UPSTREAM)) {
      System.err.println(ABSENT);
    }
    assumeTrue(Files.isDirectory(UPSTREAM), ABSENT);
  }

  static List<Path> files(String glob) throws IOException {
    if (!Files.isDirectory(UPSTREAM)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(UPSTREAM)) {
      return walk.filter(
              p -> p.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName()))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    }
  }

  /** Every config upstream tests with: read, and its typed views built, without an exception. */
  @TestFactory
  Stream<DynamicTest> everyUpstreamConfigIsRead() throws IOException {
    return files("*.conf").stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    UPSTREAM.relativize(file).toString(),
                    () -> {
                      String text = Files.readString(file);
                      VmConfig config = VmConfigParser.parse("/" + UPSTREAM.relativize(file), text);
                      if (text.startsWith("# EXPECT_ERROR")
                          || file.toString().contains("parse-config-input")) {
                        return; // made to be refused or warned about; reading them must still not
                        // crash
                      }
                      assertEquals(
                          java.util.List.of(),
                          config.problems(),
                          "a config upstream accepts reads without a problem");
                      config.hostpci();
                      config.disks();
                      config.machine();
                      config.memoryMiB();
                    }));
  }

  /**
   * parse-config-input/X as upstream reads it equals parse-config-expected/X (what upstream writes
   * back).
   */
  @TestFactory
  Stream<DynamicTest> readingMatchesWhatUpstreamWritesBack() throws IOException {
    return files("*.conf").stream()
        .filter(f -> f.getParent().getFileName().toString().equals("parse-config-expected"))
        .map(
            expected ->
                DynamicTest.dynamicTest(
                    expected.getFileName().toString(),
                    () -> {
                      Path input =
                          UPSTREAM.resolve("parse-config-input").resolve(expected.getFileName());
                      VmConfig read = VmConfigParser.parse("/in.conf", Files.readString(input));
                      VmConfig written =
                          VmConfigParser.parse("/out.conf", Files.readString(expected));
                      assertEquals(written.current(), read.current(), "current");
                      assertEquals(written.pending(), read.pending(), "pending");
                      assertEquals(written.snapshots(), read.snapshots(), "snapshots");
                      assertEquals(
                          written.specialSections(), read.specialSections(), "special sections");
                    }));
  }

  /** In strict mode the first problem is upstream's own error, with file and line in front. */
  @TestFactory
  Stream<DynamicTest> strictModeFailsWithUpstreamsMessage() throws IOException {
    return files("*.strict.error").stream()
        .map(
            error ->
                DynamicTest.dynamicTest(
                    error.getFileName().toString(),
                    () -> {
                      String name = error.getFileName().toString().replace(".strict.error", "");
                      String text =
                          Files.readString(UPSTREAM.resolve("parse-config-input").resolve(name));
                      String expected =
                          Files.readString(error).strip().replaceFirst("^vm \\d+ - ", "");
                      PveFileException e =
                          assertThrows(
                              PveFileException.class,
                              () -> VmConfigParser.parseStrict("/" + name, text));
                      assertEquals(expected, e.getMessage().replaceFirst("^/[^:]+:\\d+: ", ""));
                    }));
  }
}
