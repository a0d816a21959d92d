package dev.guesthook.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every YAML file guesthook reads goes through SafeYaml: hostile files end as one error line, fast.
 */
class SafeYamlTest {
  static final Duration FAST = Duration.ofSeconds(1);

  /**
   * 48 aliases, each a list of nine of the one before: 9^9 strings once expanded, 40 KB on disk.
   */
  static String aliasBomb() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [\"" + "x".repeat(32000) + "\"]\n");
    for (int i = 1; i <= 9; i++) {
      String previous = "*a" + (i - 1);
      yaml.append("a")
          .append(i)
          .append(": &a")
          .append(i)
          .append(" [")
          .append(String.join(", ", java.util.Collections.nCopies(9, previous)))
          .append("]\n");
    }
    yaml.append("sriov-vf: { vfs: [*a9, *a9, *a9] }\n");
    return yaml.toString();
  }

  @Test
  void anAliasBombIsRefusedAtItsFirstAnchorWithinASecond() {
    ConfigException error =
        assertTimeoutPreemptively(
            FAST,
            () ->
                assertThrows(
                    ConfigException.class, () -> SafeYaml.parseMapping("101.yaml", aliasBomb())));
    assertEquals(
        "101.yaml:1:5: anchors and aliases (&name, *name) are not supported; write the values out",
        error.getMessage());
  }

  @Test
  void aRecursiveAliasIsRefusedNotFollowed() {
    ConfigException error =
        assertTimeoutPreemptively(
            FAST,
            () ->
                assertThrows(
                    ConfigException.class,
                    () -> SafeYaml.parseMapping("101.yaml", "mdev: &m { devices: [*m] }\n")));
    assertTrue(
        error.getMessage().startsWith("101.yaml:1:7: anchors and aliases"), error.getMessage());
  }

  @Test
  void aFileOverOneMebibyteIsRefusedWithoutReadingIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("big.yaml");
    Files.writeString(file, "# " + "x".repeat(2 * 1024 * 1024) + "\n");
    ConfigException error =
        assertTimeoutPreemptively(
            FAST,
            () ->
                assertThrows(
                    ConfigException.class,
                    () -> SafeYaml.readFile(file, "/etc/pve/guesthook/101.yaml")));
    assertEquals(
        "/etc/pve/guesthook/101.yaml: larger than 1024 KiB; a settings file needs a few lines per hook",
        error.getMessage());
  }

  @Test
  void deepNestingAndManyNodesAreBounded() {
    String deep = "a: " + "[".repeat(200) + "]".repeat(200) + "\n";
    ConfigException nested =
        assertThrows(ConfigException.class, () -> SafeYaml.parseMapping("f.yaml", deep));
    assertTrue(nested.getMessage().startsWith("f.yaml:1:"), nested.getMessage());
    String many = "a: [" + "1,".repeat(SafeYaml.MAX_NODES) + "1]\n";
    ConfigException counted =
        assertThrows(ConfigException.class, () -> SafeYaml.parseMapping("f.yaml", many));
    assertTrue(
        counted.getMessage().contains("more than " + SafeYaml.MAX_NODES + " values"),
        counted.getMessage());
  }

  @Test
  void scalarsAreTypedByYamlCoreSchemaSoOffAndQuotedBooleansStayStrings() throws Exception {
    YamlNode.Mapping doc =
        SafeYaml.parseMapping(
            "f.yaml",
            "a: true\nb: \"false\"\nc: off\nd: yes\ne: 4\nf: \"4\"\ng: 0000:03:00.0\nh:\ni: 1.5\n");
    Map<?, ?> plain = (Map<?, ?>) doc.plain();
    assertEquals(Boolean.TRUE, plain.get("a"));
    assertEquals("false", plain.get("b"));
    assertEquals("off", plain.get("c"));
    assertEquals("yes", plain.get("d"));
    assertEquals(4L, plain.get("e"));
    assertEquals("4", plain.get("f"));
    assertEquals("0000:03:00.0", plain.get("g"));
    assertEquals(null, plain.get("h"));
    assertEquals(1.5, plain.get("i"));
    assertEquals(new Mark("f.yaml", 7, 4), doc.get("g").mark());
  }

  @Test
  void syntaxErrorsDuplicateKeysTagsAndSecondDocumentsNameTheirLine() {
    assertEquals(
        "f.yaml:3:1: not valid YAML: while parsing a flow sequence: expected ',' or ']', but got <stream end>",
        assertThrows(
                ConfigException.class, () -> SafeYaml.parseMapping("f.yaml", "a: 1\nb: [1, 2\n"))
            .getMessage());
    assertEquals(
        "f.yaml:2:1: key 'a' is given twice (first at f.yaml:1:1)",
        assertThrows(ConfigException.class, () -> SafeYaml.parseMapping("f.yaml", "a: 1\na: 2\n"))
            .getMessage());
    assertTrue(
        assertThrows(
                ConfigException.class, () -> SafeYaml.parseMapping("f.yaml", "a: !!binary aGk=\n"))
            .getMessage()
            .startsWith("f.yaml:1:4: YAML tags"));
    assertTrue(
        assertThrows(
                ConfigException.class, () -> SafeYaml.parseMapping("f.yaml", "a: 1\n---\nb: 2\n"))
            .getMessage()
            .startsWith("f.yaml:2:1: a second YAML document"));
    assertTrue(
        assertThrows(ConfigException.class, () -> SafeYaml.parseMapping("f.yaml", "- a\n- b\n"))
            .getMessage()
            .startsWith("f.yaml:1:1: expected a mapping"));
  }

  @Test
  void emptyAndCommentOnlyFilesAreEmptyMappings() throws Exception {
    assertEquals(Map.of(), SafeYaml.parseMapping("f.yaml", "").plain());
    assertEquals(Map.of(), SafeYaml.parseMapping("f.yaml", "# nothing\n---\n").plain());
    assertEquals(
        List.of(), List.copyOf(SafeYaml.parseMapping("f.yaml", "# x\n").entries().keySet()));
  }
}
