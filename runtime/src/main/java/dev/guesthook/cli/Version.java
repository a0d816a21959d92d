package dev.guesthook.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code guesthook --version}: the version and the commit this runtime was built from, as the build
 * recorded them in the jar (runtime/src/build/build-info.sh writes build.properties). The jar's
 * manifest is no help: it carries no version, and classes run from target/classes have none.
 */
public final class Version implements IVersionProvider {
  private static final String RECORD = "build.properties";

  /** What the build recorded. */
  record Build(String version, String commit, boolean modified) {
    /** Sources compiled without the build's record (an IDE): nothing is known. */
    static final Build UNRECORDED = new Build("development", "unknown", false);

    static Build of(Properties recorded) {
      return new Build(
          recorded.getProperty("version", UNRECORDED.version),
          recorded.getProperty("commit", UNRECORDED.commit),
          Boolean.parseBoolean(recorded.getProperty("modified")));
    }

    /** {@code guesthook 0.1.0 (commit 848629c1a2b3, modified)}. */
    String line() {
      return "guesthook " + version + " (commit " + commit + (modified ? ", modified" : "") + ")";
    }

    Map<String, Object> json() {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("version", version);
      doc.put("commit", commit);
      doc.put("modified", modified);
      return doc;
    }
  }

  static Build build() {
    try (InputStream in = Version.class.getResourceAsStream(RECORD)) {
      if (in == null) {
        return Build.UNRECORDED;
      }
      Properties recorded = new Properties();
      recorded.load(in);
      return Build.of(recorded);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {build().line()};
  }
}
