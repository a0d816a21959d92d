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
    return Optional.of(parse(mark));
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
        wedges.add(parse(FOLDER.resolve(name)));
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

  private Wedge parse(HostPath mark) {
    try {
      return Json.MAPPER.readValue(files.read(mark), Wedge.class);
    } catch (JsonProcessingException e) {
      throw new HostException(
          "EINVAL", mark + ": not a wedge mark (" + e.getOriginalMessage() + "); fix: remove it");
    }
  }

  /** A device name as one file name: a driver's ({@code driver vfio-pci}) loses its space. */
  static HostPath markOf(String device) {
    return FOLDER.resolve(device.replace(' ', '_').replace('/', '_') + ".json");
  }
}
