package dev.guesthook.host;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.guesthook.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The devices marked wedged, one file each under {@code /run/guesthook/wedged}: every process of
 * the node (the one-shot path and {@code serve}) sees a mark the moment it is written, and a
 * reboot, which is what clears a wedged device, clears the marks too ({@code /run} is a tmpfs).
 * Written through the host's own files, never the simulated kernel's stores, so a mark is no host
 * change a fault counts.
 */
public final class WedgedDevices {
  public static final HostPath FOLDER = HostPath.of("run", "guesthook", "wedged");

  private final HostFiles files;

  public WedgedDevices(HostFiles files) {
    this.files = files;
  }

  public Optional<Wedge> find(String device) {
    HostPath mark = markOf(device);
    if (!files.exists(mark)) {
      return Optional.empty();
    }
    return Optional.of(parse(device, mark));
  }

  public void mark(Wedge wedge) {
    files.createDirectories(FOLDER);
    try {
      files.write(markOf(wedge.device()), Json.MAPPER.writeValueAsString(wedge) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every mark, by device. */
  public List<Wedge> all() {
    if (!files.exists(FOLDER)) {
      return List.of();
    }
    List<Wedge> wedges = new ArrayList<>();
    for (String name : files.list(FOLDER)) {
      if (name.endsWith(".json")) {
        wedges.add(parse(deviceOfMark(name), FOLDER.resolve(name)));
      }
    }
    return wedges;
  }

  /** Takes the mark away; false when there was none. */
  public boolean clear(String device) {
    HostPath mark = markOf(device);
    if (!files.exists(mark)) {
      return false;
    }
    files.delete(mark);
    return true;
  }

  /**
   * The mark's wedge; a mark that cannot be read (cut short by a full {@code /run} or a kill, a
   * folder or a link in its place) still marks its device: the device is taken as wedged, and
   * {@code wedged} and {@code doctor} list it to be cleared, where they failed as a whole.
   */
  private Wedge parse(String device, HostPath mark) {
    try {
      Wedge wedge = Json.MAPPER.readValue(files.read(mark), Wedge.class);
      if (wedge == null || wedge.path() == null || wedge.since() == null) {
        return Wedge.unreadable(device, mark, "not a whole mark");
      }
      return wedge;
    } catch (JsonProcessingException e) {
      return Wedge.unreadable(device, mark, "not a wedge mark: " + e.getOriginalMessage());
    } catch (HostException e) {
      return Wedge.unreadable(device, mark, e.errno() + ": " + e.getMessage());
    }
  }

  /** The device a mark's file name is for ({@link #markOf} backwards). */
  private static String deviceOfMark(String name) {
    String device = name.substring(0, name.length() - ".json".length());
    return device.startsWith("driver_") ? "driver " + device.substring("driver_".length()) : device;
  }

  /** A device name as one file name: a driver's ({@code driver vfio-pci}) loses its space. */
  static HostPath markOf(String device) {
    return FOLDER.resolve(device.replace(' ', '_').replace('/', '_') + ".json");
  }
}
