package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.testsupport.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code guesthook --version} says which build runs: the version of the pom it was built from (the
 * build passes it to the tests as {@code guesthook.version}) and the commit of the checkout.
 */
class VersionTest {
  private static final String POM_VERSION = System.getProperty("guesthook.version");

  @Test
  void itPrintsThePomsVersionAndTheCommitOfTheCheckout() throws Exception {
    assertNotNull(POM_VERSION, "run through Maven: surefire passes the pom's guesthook.version");
    Cli.Result result = Cli.run(List.of("--version"));
    assertEquals(0, result.exitCode(), result::toString);
    String expected =
        "guesthook "
            + Pattern.quote(POM_VERSION)
            + " \\(commit "
            + checkoutCommit()
            + "(, modified)?\\)\n";
    assertTrue(result.out().matches(expected), result.out() + " does not match " + expected);
  }

  @Test
  void withJsonItPrintsTheSameAsADocument() throws Exception {
    Cli.Result result = Cli.run(List.of("--version", "--json"));
    assertEquals(0, result.exitCode(), result::toString);
    JsonNode doc = result.json();
    assertEquals(POM_VERSION, doc.get("version").asText());
    assertEquals(checkoutCommit(), doc.get("commit").asText());
    assertTrue(doc.get("modified").isBoolean(), result.out());
  }

  @Test
  void aSourceTreeWithoutGitSaysTheCommitIsUnknown() {
    Properties built = new Properties();
    built.setProperty("version", "0.1.0");
    built.setProperty("commit", "unknown");
    built.setProperty("modified", "false");
    assertEquals("guesthook 0.1.0 (commit unknown)", Version.Build.of(built).line());
  }

  /** What git says the checkout is at (12 digits, as the build records it), or "unknown". */
  private static String checkoutCommit() throws InterruptedException {
    try {
      Process git =
          new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return git.waitFor() == 0 ? out : "unknown";
    } catch (IOException noGit) {
      return "unknown";
    }
  }
}
