package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hook's settings written into a guest's own file: types kept, other entries untouched. */
class GuestSettingsFileTest {
  @TempDir Path root;

  @Test
  void valuesKeepTheirTypesAndTheOtherEntriesTheirText() throws Exception {
    Path file = root.resolve("etc/pve/guesthook/503.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file, "sriov-vf:\n  pf: \"0000:03:00.0\"\n  trust: yes\ncpu-governor: { cpus: [1] }\n");

    GuestSettingsFile.put(
        root,
        503,
        "cpu-governor",
        Map.of("cpus", List.of(2, 3), "governor", "true", "pin", true, "limits", Map.of("b", 1)));

    assertEquals(
        "sriov-vf:\n"
            + "  pf: \"0000:03:00.0\"\n"
            + "  trust: yes\n"
            + "cpu-governor:\n"
            + "  cpus:\n"
            + "  - 2\n"
            + "  - 3\n"
            + "  governor: 'true'\n"
            + "  limits:\n"
            + "    b: 1\n"
            + "  pin: true\n",
        Files.readString(file));
  }
}
