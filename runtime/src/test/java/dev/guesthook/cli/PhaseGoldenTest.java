package dev.guesthook.cli;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.Golden;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a phase prints, whole: the lines Proxmox's task log shows for {@code guesthook <vmid>
 * <phase>}, and the same phase's {@code --json}, with the stock hooks on the mixed sandbox. The
 * expected output is in {@code src/test/resources/golden/phase/}; see {@link Golden} for
 * regenerating it.
 */
class PhaseGoldenTest {
  private static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();

  @TempDir Path base;
  Path root;
  Golden golden;

  @BeforeEach
  void mixedHost() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.MIXED);
    golden = new Golden().path("ROOT", root).path("STOCK", STOCK);
  }

  private Cli.Result guesthook(String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--root", root.toString(), "--simulate", "--hooks", STOCK.toString()));
    all.addAll(List.of(args));
    return Cli.run(all);
  }

  @Test
  void aGuestWithAVfStartsAndStopsAsTheTaskLogShowsIt() {
    golden.assertMatches("phase/501-pre-start", guesthook("501", "pre-start"));
    golden.assertMatches("phase/501-post-stop", guesthook("501", "post-stop"));
  }

  @Test
  void theExactFormProxmoxRunsPrintsTheSame() {
    // '<vmid> <phase>' alone, settings from the environment: the call that skips picocli.
    Map<String, String> environment =
        Map.of(
            "GUESTHOOK_ROOT", root.toString(),
            "GUESTHOOK_SIMULATE", "true",
            "GUESTHOOK_HOOK_DIRS", STOCK.toString());
    golden.assertMatches("phase/501-pre-start", Cli.run(environment, List.of("501", "pre-start")));
    golden.assertMatches("phase/501-post-stop", Cli.run(environment, List.of("501", "post-stop")));
  }

  @Test
  void aGuestWithAnMdevStartsAndStopsAsTheTaskLogShowsIt() {
    golden.assertMatches("phase/202-pre-start", guesthook("202", "pre-start"));
    golden.assertMatches("phase/202-post-stop", guesthook("202", "post-stop"));
  }

  @Test
  void aStartThatCannotBeSatisfiedAsTheTaskLogShowsIt() {
    golden.assertMatches("phase/503-pre-start-refused", guesthook("503", "pre-start"));
  }

  @Test
  void aPhaseInJson() {
    golden.assertMatches("phase/501-pre-start-json", guesthook("--json", "501", "pre-start"));
  }
}
