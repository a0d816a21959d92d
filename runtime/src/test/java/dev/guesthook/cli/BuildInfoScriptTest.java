package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runtime/src/build/build-info.sh records what {@code --version} prints. A source tree that is not
 * a checkout with a commit, or a git that prints something else than a commit id, must still build
 * and record "unknown", never break the build or put stray keys in the record.
 */
class BuildInfoScriptTest {
  static final Path SCRIPT = Path.of("src/build/build-info.sh").toAbsolutePath();

  @TempDir Path tree;

  @Test
  void aCheckoutWithNoCommitYetRecordsTheCommitAsUnknown() throws Exception {
    Path script = copyScriptInto(tree);
    assumeTrue(run(tree, List.of("git", "init", "-q")) == 0, "git is not installed");

    assertEquals(0, run(tree, List.of("sh", script.toString(), "1.2.3", "out.properties")));
    assertEquals(
        "version=1.2.3\ncommit=unknown\nmodified=false\n",
        Files.readString(tree.resolve("out.properties")));
  }

  @Test
  void whatAGitPrintsBesidesACommitIdIsNotRecorded() throws Exception {
    Path script = copyScriptInto(tree);
    Path bin = Files.createDirectories(tree.resolve("fake-bin"));
    Path git = bin.resolve("git");
    Files.writeString(
        git,
        "#!/bin/sh\ncase \"$*\" in *show-cdup*) echo ;; *rev-parse*) printf 'zz top\\nversion=6.6.6\\n' ;; *) ;; esac\n");
    Files.setPosixFilePermissions(git, PosixFilePermissions.fromString("rwxr-xr-x"));

    ProcessBuilder build =
        new ProcessBuilder("sh", script.toString(), "1.2.3", "out.properties")
            .directory(tree.toFile());
    build.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    assertEquals(0, exit(build));
    assertEquals(
        "version=1.2.3\ncommit=unknown\nmodified=false\n",
        Files.readString(tree.resolve("out.properties")));
  }

  /** The script finds the checkout three folders above itself, as in runtime/src/build. */
  private static Path copyScriptInto(Path top) throws IOException {
    Path copy = Files.createDirectories(top.resolve("runtime/src/build")).resolve("build-info.sh");
    Files.copy(SCRIPT, copy);
    return copy;
  }

  private static int run(Path dir, List<String> command) throws Exception {
    return exit(new ProcessBuilder(command).directory(dir.toFile()));
  }

  private static int exit(ProcessBuilder builder) throws Exception {
    Process process = builder.redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(builder.command() + " did not end within 30 s");
    }
    return process.exitValue();
  }
}
