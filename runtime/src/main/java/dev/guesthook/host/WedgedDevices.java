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

  private static final String MARK = ".json";

  /** A {@link WriteIntent}: a risky write under way. */
  private static final String NOTE = ".writing";

  private final HostFiles files;

  public WedgedDevices(HostFiles files) {
    this.files = files;
  }

  /** The device's mark, or the one a write left behind by a caller that died makes now. */
  public Optional<Wedge> find(String device) {
    HostPath mark = markOf(device);
    if (!files.exists(mark)) {
      return leftBehind(device);
    }
    return Optional.of(parse(device, mark));
  }

  /**
   * Notes a risky write as it starts; empty when {@code /run} refuses the note (full, read-only),
   * and the write goes on as it would without: the note only matters if this process dies in it.
   */
  Optional<HostPath> noteWriting(WriteIntent intent) {
    HostPath note = noteOf(intent.device());
    try {
      String text = Json.MAPPER.writeValueAsString(intent) + "\n";
      for (int attempt = 0; ; attempt++) {
        files.createDirectories(FOLDER);
        try {
          files.write(note, text);
          return Optional.of(note);
        } catch (HostException folderGone) {
          if (attempt > 0 || !folderGone.errno().equals("ENOENT")) {
            throw folderGone; // another process's doneWriting took the empty folder away: once
          }
        }
      }
    } catch (HostException | JsonProcessingException e) {
      doneWriting(Optional.of(note)); // a note cut short (a full /run, a file size limit) goes
      return Optional.empty();
    }
  }

  /**
   * The write ended or was marked: its note goes, and the folder with it when nothing else is in
   * it, so a node where nothing ever hung keeps no trace of the writes (as before them).
   */
  void doneWriting(Optional<HostPath> note) {
    if (note.isEmpty()) {
      return;
    }
    try {
      files.delete(note.get());
      files.delete(FOLDER);
    } catch (HostException e) {
      // ENOTEMPTY: a mark or another write's note is there. A note left behind names a live
      // caller or a dead helper: the next look takes it away.
    }
  }

  /**
   * A write whose caller ended (kill -9, the OOM killer) while the kernel still holds it becomes a
   * mark; the note of one that returned, or of a caller still waiting, is no mark.
   */
  private Optional<Wedge> leftBehind(String device) {
    HostPath note = noteOf(device);
    if (!files.exists(note)) {
      return Optional.empty();
    }
    Optional<WriteIntent> intent = readNote(note);
    if (intent.isPresent() && intent.get().callerAlive()) {
      return Optional.empty();
    }
    if (intent.isPresent() && intent.get().holderAlive()) {
      Wedge wedge = intent.get().orphaned();
      mark(wedge);
      doneWriting(Optional.of(note));
      return Optional.of(wedge);
    }
    doneWriting(Optional.of(note));
    return Optional.empty();
  }

  /** A note cut short was being written as its caller died, before any write could hang on it. */
  private Optional<WriteIntent> readNote(HostPath note) {
    try {
      return Optional.ofNullable(Json.MAPPER.readValue(files.read(note), WriteIntent.class));
    } catch (JsonProcessingException | HostException e) {
      return Optional.empty();
    }
  }

  public void mark(Wedge wedge) {
    files.createDirectories(FOLDER);
    try {
      files.write(markOf(wedge.device()), Json.MAPPER.writeValueAsString(wedge) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What a process that died mid-write left here: a dead caller's note becomes a mark or goes (as
   * {@link #find} decides), and the folder goes when nothing is left in it. For the reconcile,
   * which cleans up after dead processes.
   */
  public void sweep() {
    if (!files.exists(FOLDER)) {
      return;
    }
    if (!all().isEmpty()) {
      return;
    }
    try {
      files.delete(FOLDER);
    } catch (HostException notEmpty) {
      // Marks, or notes of writes under way: they stay.
    }
  }

  /** Every mark, by device. */
  public List<Wedge> all() {
    if (!files.exists(FOLDER)) {
      return List.of();
    }
    for (String name : files.list(FOLDER)) {
      if (name.endsWith(NOTE)) {
        leftBehind(deviceOf(name, NOTE));
      }
    }
    if (!files.exists(FOLDER)) {
      return List.of(); // the last note went, and the folder with it
    }
    List<Wedge> wedges = new ArrayList<>();
    for (String name : files.list(FOLDER)) {
      if (name.endsWith(MARK)) {
        wedges.add(parse(deviceOf(name, MARK), FOLDER.resolve(name)));
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

  /** The device a mark's or note's file name is for ({@link #markOf} backwards). */
  private static String deviceOf(String name, String suffix) {
    String device = name.substring(0, name.length() - suffix.length());
    return device.startsWith("driver_") ? "driver " + device.substring("driver_".length()) : device;
  }

  /** A device name as one file name: a driver's ({@code driver vfio-pci}) loses its space. */
  static HostPath markOf(String device) {
    return FOLDER.resolve(fileName(device) + MARK);
  }

  private static HostPath noteOf(String device) {
    return FOLDER.resolve(fileName(device) + NOTE);
  }

  private static String fileName(String device) {
    return device.replace(' ', '_').replace('/', '_');
  }
}
