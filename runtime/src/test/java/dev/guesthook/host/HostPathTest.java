package dev.guesthook.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** No value can turn into a path outside the host root. */
class HostPathTest {
  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "", "a/b", "bad\nname", "tab\tname", "nul\0"})
  void invalidSegmentsAreRefusedBeforeAnyIo(String segment) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> HostPath.of("sys", "bus", segment));
    assertEquals(true, error.getMessage().startsWith("invalid path segment '"), error.getMessage());
  }

  @Test
  void parsedPathsCannotClimbOutOfTheRoot() {
    assertThrows(IllegalArgumentException.class, () -> HostPath.parse("/sys/../../etc/shadow"));
    assertThrows(IllegalArgumentException.class, () -> HostPath.parse("sys/relative"));
    assertEquals(
        Path.of("/tmp/root/sys/bus/pci"),
        HostPath.parse("//sys//bus/pci/").under(Path.of("/tmp/root")));
  }

  @Test
  void commandsRefuseArgumentsWithNewlinesOrNul() {
    assertThrows(IllegalArgumentException.class, () -> HostCommand.of("ip", "link", "set\nrm"));
    assertThrows(IllegalArgumentException.class, () -> HostCommand.of("ip", "link\0"));
    assertThrows(IllegalArgumentException.class, () -> HostCommand.of(""));
  }
}
