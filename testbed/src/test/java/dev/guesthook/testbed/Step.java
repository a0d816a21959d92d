package dev.guesthook.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import java.util.ArrayList;
import java.util.List;

/**
 * One operation of a conformance scenario, done through the host port, and what it gave written as
 * a line both kernels must agree on: {@code ok}, {@code = value}, {@code [entries]}, {@code ->
 * target} or the errno. Messages are not compared (the simulator says why; the kernel says only
 * strerror).
 */
sealed interface Step {
  String describe();

  String outcome(HostPort host);

  /** A store to a kernel attribute: one write(2), as {@code echo -n value > path}. */
  record Write(String path, String value) implements Step {
    public String describe() {
      return "write " + path + " '" + value.replace("\n", "\\n") + "'";
    }

    public String outcome(HostPort host) {
      return attempt(
          () -> {
            host.write(HostPath.parse(path), value);
            return "ok";
          });
    }
  }

  record Read(String path) implements Step {
    public String describe() {
      return "read " + path;
    }

    public String outcome(HostPort host) {
      return attempt(() -> "= " + host.read(HostPath.parse(path)).strip());
    }
  }

  /** Several attributes read as one observation. */
  record ReadEach(String label, List<String> paths) implements Step {
    public String describe() {
      return "read " + label;
    }

    public String outcome(HostPort host) {
      return paths.stream().map(path -> new Read(path).outcome(host)).toList().toString();
    }
  }

  /**
   * A function's config space header, by the fields the kernel reads from the device: vendor and
   * device ids, class, subsystem ids (command, status and BARs differ between hosts).
   */
  record ConfigHeader(String device) implements Step {
    public String describe() {
      return "config space header of " + device;
    }

    public String outcome(HostPort host) {
      return attempt(
          () -> {
            byte[] h = host.readBytes(HostPath.parse(device).resolve("config"), 64);
            return "ids %04x:%04x class %02x%02x%02x subsystem %04x:%04x"
                .formatted(
                    word(h, 0x00),
                    word(h, 0x02),
                    h[0x0b],
                    h[0x0a],
                    h[0x09],
                    word(h, 0x2c),
                    word(h, 0x2e));
          });
    }

    private static int word(byte[] header, int offset) {
      return (header[offset] & 0xff) | (header[offset + 1] & 0xff) << 8;
    }
  }

  /** A directory's entries; {@code only} keeps the listing to names the scenario is about. */
  record ListDir(String path, List<String> only) implements Step {
    public String describe() {
      return "ls " + path;
    }

    public String outcome(HostPort host) {
      return attempt(
          () ->
              host.list(HostPath.parse(path)).stream()
                  .filter(name -> only.isEmpty() || only.contains(name))
                  .toList()
                  .toString());
    }
  }

  record Exists(String path) implements Step {
    public String describe() {
      return "test -e " + path;
    }

    public String outcome(HostPort host) {
      return attempt(() -> host.exists(HostPath.parse(path)) ? "exists" : "absent");
    }
  }

  /** Where a link points, by the target's name: a driver, a PF, a type. */
  record LinkName(String path) implements Step {
    public String describe() {
      return "readlink " + path;
    }

    public String outcome(HostPort host) {
      return attempt(
          () -> host.readLink(HostPath.parse(path)).map(t -> "-> " + t.name()).orElse("no link"));
    }
  }

  /**
   * The members of a device's IOMMU group: group numbers differ between hosts, membership must not.
   */
  record IommuGroupOf(String device) implements Step {
    public String describe() {
      return "iommu group of " + device;
    }

    public String outcome(HostPort host) {
      return attempt(
          () ->
              host.readLink(HostPath.parse(device).resolve("iommu_group"))
                  .map(group -> "group " + host.list(group.resolve("devices")))
                  .orElse("no group"));
    }
  }

  /** A command (iproute2); compared by exit code and, on failure, the last line it printed. */
  record Run(List<String> argv) implements Step {
    public String describe() {
      return String.join(" ", argv);
    }

    public String outcome(HostPort host) {
      return attempt(
          () -> {
            CommandResult result = host.run(HostCommand.of(argv.toArray(String[]::new)));
            return result.succeeded()
                ? "exit 0"
                : "exit " + result.exitCode() + ": " + result.lastLine().strip();
          });
    }
  }

  /** A PF's VF settings as {@code ip -j link show} reports them: what guesthook reads back. */
  record VfSettings(String netdev) implements Step {
    private static final ObjectMapper JSON = new ObjectMapper();

    public String describe() {
      return "vf settings of " + netdev;
    }

    public String outcome(HostPort host) {
      return attempt(
          () -> {
            CommandResult result =
                host.run(HostCommand.of("ip", "-j", "link", "show", "dev", netdev));
            if (!result.succeeded()) {
              return "exit " + result.exitCode();
            }
            List<String> vfs = new ArrayList<>();
            for (JsonNode vf : JSON.readTree(result.output()).path(0).path("vfinfo_list")) {
              vfs.add(
                  "vf "
                      + vf.path("vf").asInt()
                      + " mac "
                      + vf.path("address").asText()
                      + " vlan "
                      + vf.path("vlan_list").path(0).path("vlan").asInt(0)
                      + " qos "
                      + vf.path("vlan_list").path(0).path("qos").asInt(0)
                      + " spoofchk "
                      + vf.path("spoofchk").asBoolean()
                      + " trust "
                      + vf.path("trust").asBoolean());
            }
            return vfs.toString();
          });
    }
  }

  interface Attempt {
    String get() throws Exception;
  }

  private static String attempt(Attempt attempt) {
    try {
      return attempt.get();
    } catch (HostException e) {
      return e.errno();
    } catch (Exception e) {
      return "error " + e;
    }
  }
}
