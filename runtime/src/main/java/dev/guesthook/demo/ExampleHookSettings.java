package dev.guesthook.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Settings for the example hooks (examples/hooks) on a sandbox's guests. The sandbox profiles hold
 * only stock-hook settings, since settings for a hook that is not loaded stop a phase; the demo,
 * which loads the example hooks too, adds these.
 */
public final class ExampleHookSettings {
  private static final Map<Integer, String> BY_GUEST =
      Map.of(
          402, "vgpu-params: { params: \"frame_rate_limiter=0 disable_vnc=1\" }\n",
          503, "cpu-governor: { cpus: [2, 3], governor: performance }\n");

  private ExampleHookSettings() {}

  /** Appends each guest's example-hook settings to its own file, for the guests the sandbox has. */
  public static void addTo(Path sandbox) throws IOException {
    for (Map.Entry<Integer, String> guest : BY_GUEST.entrySet()) {
      Path file = sandbox.resolve("etc/pve/guesthook/" + guest.getKey() + ".yaml");
      if (Files.exists(file)) {
        Files.writeString(file, guest.getValue(), StandardOpenOption.APPEND);
      }
    }
  }
}
