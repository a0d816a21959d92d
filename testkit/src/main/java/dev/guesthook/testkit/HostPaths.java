package dev.guesthook.testkit;

import dev.guesthook.host.sim.Faults;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Host paths as a hook writes them ({@code /sys/...}), placed under a sandbox root. */
final class HostPaths {
  private HostPaths() {}

  /**
   * The file for {@code hostPath} under {@code root}.
   *
   * @throws IllegalArgumentException for a relative path or one with {@code ..}, which could name a
   *     file outside the sandbox
   */
  static Path under(Path root, String hostPath) {
    if (!hostPath.startsWith("/")) {
      throw new IllegalArgumentException(
          "'" + hostPath + "': give the host path as a hook writes it, absolute (/sys/...)");
    }
    for (String name : hostPath.split("/")) {
      if (name.equals("..") || name.equals(".")) {
        throw new IllegalArgumentException(
            "'" + hostPath + "': a host path without . or .. (it could leave the sandbox)");
      }
    }
    return root.resolve(hostPath.substring(1));
  }

  /** The host path of a file under {@code root}: {@code /} and its path relative to the root. */
  static String of(Path root, Path file) {
    return "/" + root.relativize(file);
  }

  /**
   * Each glob, and each again with its leading folders followed through the sandbox's links: {@code
   * /sys/bus/pci/devices/0000:41:00.4/**} also as the device's real folder under {@code
   * /sys/devices}, where its files are.
   */
  static List<Pattern> globsFollowingLinks(Path root, String... globs) {
    List<Pattern> patterns = new ArrayList<>();
    for (String glob : globs) {
      patterns.add(Faults.glob(glob));
      followed(root, glob).ifPresent(real -> patterns.add(Faults.glob(real)));
    }
    return patterns;
  }

  private static Optional<String> followed(Path root, String glob) {
    List<String> names = List.of(glob.substring(glob.startsWith("/") ? 1 : 0).split("/"));
    int literal = 0;
    while (literal < names.size() && !names.get(literal).matches(".*[*?].*")) {
      literal++;
    }
    try {
      Path realRoot = root.toRealPath();
      Path real = root.resolve(String.join("/", names.subList(0, literal))).toRealPath();
      if (!real.startsWith(realRoot)) {
        return Optional.empty();
      }
      List<String> rest = names.subList(literal, names.size());
      return Optional.of(
          of(realRoot, real).replaceAll("/$", "")
              + (rest.isEmpty() ? "" : "/" + String.join("/", rest)));
    } catch (IOException missing) {
      return Optional.empty();
    }
  }
}
