package dev.guesthook.pve;

import static dev.guesthook.pve.schema.PropertyFormat.Property.string;

import dev.guesthook.pve.schema.PropertyFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code usb.cfg} and {@code directory.cfg} (pve-guest-common's PVE::Mapping::USB and ::Dir), read
 * all or nothing: the first bad line fails the file, in SectionConfig's words.
 */
public final class OtherMappings {
  /** PVE::Mapping::USB's {@code $map_fmt}. */
  static final MappingFile.Kind USB =
      new MappingFile.Kind(
          Set.of(),
          new PropertyFormat(
              Map.of(
                  "node",
                  MappingFile.NODE,
                  "id",
                  string().matching("[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}").required(),
                  // possessive: the same language (a part starts with the '.' no digit run takes),
                  // without recursion per part
                  "path",
                  string().matching("(\\d+)\\-(\\d+(?:\\.\\d+)*+)"),
                  "description",
                  MappingFile.DESCRIPTION)));

  /**
   * PVE::Mapping::Dir's {@code pve_verify_path}: only the start is anchored, so {@code /srv/a(b)}
   * passes.
   */
  private static final Pattern DIR_PATH_START = Pattern.compile("/[^;,=()]+");

  private static final PropertyFormat.NamedFormat DIR_PATH =
      path ->
          DIR_PATH_START.matcher(path).lookingAt()
              ? Optional.empty()
              : Optional.of(
                  "Value does not look like a valid absolute path."
                      + " These symbols are currently not allowed in path: ;,=()");

  /**
   * PVE::Mapping::Dir's {@code $map_fmt} ({@code pve-storage-path-in-property-string} for the
   * path).
   */
  static final MappingFile.Kind DIR =
      new MappingFile.Kind(
          Set.of(),
          new PropertyFormat(
              Map.of("node", MappingFile.NODE, "path", string().inFormat(DIR_PATH).required())));

  private OtherMappings() {}

  public static Map<String, UsbMapping> usb(String origin, String text) throws PveFileException {
    Map<String, UsbMapping> out = new LinkedHashMap<>();
    for (MappingFile.Section read : MappingFile.read(origin, text, USB)) {
      MappingFile.Section s = read.requireNoProblems();
      out.put(
          s.id(),
          new UsbMapping(
              s.id(),
              s.description(),
              s.maps().stream()
                  .map(
                      map ->
                          new UsbMapping.Node(
                              map.get("node"), map.get("id"), Optional.ofNullable(map.get("path"))))
                  .toList()));
    }
    return out;
  }

  public static Map<String, DirMapping> directories(String origin, String text)
      throws PveFileException {
    Map<String, DirMapping> out = new LinkedHashMap<>();
    for (MappingFile.Section read : MappingFile.read(origin, text, DIR)) {
      MappingFile.Section s = read.requireNoProblems();
      out.put(
          s.id(),
          new DirMapping(
              s.id(),
              s.description(),
              s.maps().stream()
                  .map(map -> new DirMapping.Node(map.get("node"), map.get("path")))
                  .toList()));
    }
    return out;
  }
}
