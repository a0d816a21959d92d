package dev.guesthook.cli;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code guesthook check} prints, whole, in text and {@code --json}, on the mixed sandbox with
 * the stock and example hooks. The expected output is in {@code src/test/resources/golden/check/};
 * see {@link Golden} for regenerating it.
 */
class CheckGoldenTest {
  private static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();
  private static final Path EXAMPLES = Path.of("../examples/hooks").toAbsolutePath().normalize();

  @TempDir Path base;
  Path root;
  Golden golden;

  @BeforeEach
  void mixedHost() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.MIXED);
    golden = new Golden().path("ROOT", root).path("STOCK", STOCK).path("EXAMPLES", EXAMPLES);
  }

  private Cli.Result guesthook(String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "--hooks",
                STOCK.toString(),
                "--hooks",
                EXAMPLES.toString()));
    all.addAll(List.of(args));
    return Cli.run(all);
  }

  @Test
  void theWholeNode() {
    golden.assertMatches("check/node", guesthook("check"));
    golden.assertMatches("check/node-json", guesthook("--json", "check"));
  }

  @Test
  void oneGuestWhoseMdevTypeIsExhausted() throws Exception {
    Files.writeString(
        root.resolve(
            "sys/devices/pci0000:00/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/available_instances"),
        "0\n");
    golden.assertMatches("check/201-mdev-exhausted", guesthook("check", "201"));
    golden.assertMatches("check/201-mdev-exhausted-json", guesthook("--json", "check", "201"));
  }
}
