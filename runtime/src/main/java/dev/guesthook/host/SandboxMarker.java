package dev.guesthook.host;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The file that makes a folder a sandbox: the simulator acts only where it is, the real host never
 * where it is. It lives here, below both, so neither has to know the other.
 */
public final class SandboxMarker {
  /** Where the simulator keeps what sysfs does not show. */
  public static final HostPath SIMULATOR_FOLDER = HostPath.of(".simulator");

  public static final HostPath PATH = SIMULATOR_FOLDER.resolve("sandbox");

  private SandboxMarker() {}

  public static boolean isSandbox(Path root) {
    return Files.isRegularFile(PATH.under(root));
  }
}
