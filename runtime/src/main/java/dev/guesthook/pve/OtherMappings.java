package dev.guesthook.pve;

import dev.guesthook.id.Printable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code usb.cfg} and {@code directory.cfg}, checked as pve-guest-common's map formats require. */
public final class OtherMappings {
  private static final Pattern IDS = Pattern.compile("[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}");
  private static final Pattern USB_PATH = Pattern.compile("\\d+-\\d+(\\.\\d+)*");
  private static final Pattern DIR_PATH = Pattern.compile("/[^;,=()]+");

  private OtherMappings() {}

  public static Map<String, UsbMapping> usb(String origin, String text) throws PveFileException {
    Map<String, UsbMapping> out = new LinkedHashMap<>();
    for (MappingFile.Section read : MappingFile.read(origin, text, Set.of())) {
      MappingFile.Section s = read.requireNoProblems();
      List<UsbMapping.Node> nodes = new ArrayList<>();
      for (MappingFile.MapLine map : s.maps()) {
        String ids = MappingFile.required(map, "id");
        if (!IDS.matcher(ids).matches()) {
          throw new PveFileException(map.where() + ": map id '" + Printable.of(ids) + "' is not vendor:device");
        }
        Optional<String> path = Optional.ofNullable(map.get("path"));
        if (path.isPresent() && !USB_PATH.matcher(path.get()).matches()) {
          throw new PveFileException(map.where() + ": map path '" + Printable.of(path.get()) + "' is not a USB port like 1-2.3");
        }
        nodes.add(new UsbMapping.Node(MappingFile.required(map, "node"), ids.toLowerCase(java.util.Locale.ROOT), path));
      }
      out.put(s.id(), new UsbMapping(s.id(), s.description(), List.copyOf(nodes)));
    }
    return out;
  }

  public static Map<String, DirMapping> directories(String origin, String text) throws PveFileException {
    Map<String, DirMapping> out = new LinkedHashMap<>();
    for (MappingFile.Section read : MappingFile.read(origin, text, Set.of())) {
      MappingFile.Section s = read.requireNoProblems();
      List<DirMapping.Node> nodes = new ArrayList<>();
      for (MappingFile.MapLine map : s.maps()) {
        String path = MappingFile.required(map, "path");
        if (!DIR_PATH.matcher(path).matches()) {
          throw new PveFileException(map.where() + ": map path '" + Printable.of(path) + "': Value does not look like a"
              + " valid absolute path. These symbols are currently not allowed in path: ;,=()");
        }
        nodes.add(new DirMapping.Node(MappingFile.required(map, "node"), path));
      }
      out.put(s.id(), new DirMapping(s.id(), s.description(), List.copyOf(nodes)));
    }
    return out;
  }
}
