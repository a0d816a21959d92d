package dev.guesthook.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The files of a hook author's project for one hook ({@code guesthook new-hook}), from the
 * templates in {@code dev/guesthook/cli/newhook/}: a pom importing this guesthook's BOM, the hook,
 * its test with the kit, a README.
 *
 * @param name a valid hook name: the hook's, the file's and the artifactId
 * @param version the guesthook version the pom asks for: this one's, as the build recorded it
 */
record HookProject(String name, String version) {
  static final String PACKAGE = "org.example.hooks";
  private static final String TEMPLATES = "newhook/";

  /** Each file's path in the project, with its text, in the order they are written and listed. */
  Map<String, String> files() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("pom.xml", fill("pom.xml.template"));
    files.put("hooks/" + name + ".groovy", fill("hook.groovy.template"));
    files.put(
        "src/test/java/" + PACKAGE.replace('.', '/') + "/" + testClass() + ".java",
        fill("HookTest.java.template"));
    files.put("README.md", fill("README.md.template"));
    return files;
  }

  /**
   * A Java class name for the hook's test, whatever the hook is called: "gpu-fan.v2" gives
   * GpuFanV2HookTest, "9p" Hook9pHookTest.
   */
  String testClass() {
    StringBuilder words = new StringBuilder();
    for (String word : name.split("[^A-Za-z0-9]+")) {
      if (!word.isEmpty()) {
        words.append(word.substring(0, 1).toUpperCase(Locale.ROOT)).append(word.substring(1));
      }
    }
    String base = Character.isDigit(words.charAt(0)) ? "Hook" + words : words.toString();
    return base + "HookTest";
  }

  private String fill(String template) {
    return read(template)
        .replace("{{NAME}}", name)
        .replace("{{VERSION}}", version)
        .replace("{{PACKAGE_PATH}}", PACKAGE.replace('.', '/'))
        .replace("{{PACKAGE}}", PACKAGE)
        .replace("{{CLASS}}", testClass());
  }

  /** A template the build put beside this class; its absence is a broken build, not a user's. */
  private static String read(String template) {
    String name = TEMPLATES + template;
    try (InputStream in = HookProject.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("this guesthook's build lacks " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
