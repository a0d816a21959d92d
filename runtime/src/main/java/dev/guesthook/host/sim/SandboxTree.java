package dev.guesthook.host.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.tree.FileTree;
import dev.guesthook.host.tree.MutableTree;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A sandbox's tree as the simulated kernel changes it, so that a process killed at any point leaves
 * a state Linux could show. Every file is replaced whole (written beside it, then renamed over it).
 * A kernel store that changes several files is one change ({@link #asOneChange}): before each file
 * change, what the path was is appended to an undo journal; the change ends by deleting the
 * journal. A journal found later is a store whose process died: {@link #recover} puts back what it
 * had done, so the store did not happen, as a kill cannot stop a real store half-way; a store that
 * throws is taken back the same way at once.
 */
public final class SandboxTree implements MutableTree {
  static final HostPath JOURNAL = Sysfs.PRIVATE.resolve("store-undo.jsonl");
  private static final ObjectMapper JSON = Json.MAPPER;

  /**
   * What a path was before a change: absent, a file with its content, a link to its target, a
   * directory.
   */
  record Undo(String path, String was, String content, String target) {
    HostPath hostPath() {
      return HostPath.parse(path);
    }
  }

  private final FileTree files;
  private final Runnable storePoint;
  private boolean changing;

  /**
   * {@code storePoint} is where a test may end the process inside a store, or make the store fail
   * ({@link Faults#crashInStoreAtStep}, {@link Faults#failInStoreAtStep}).
   */
  public SandboxTree(FileTree files, Runnable storePoint) {
    this.files = files;
    this.storePoint = storePoint;
  }

  /** The tree with atomic writes only: for the simulator's own notes (faults), never one change. */
  public static SandboxTree atomic(FileTree files) {
    return new SandboxTree(files, () -> {});
  }

  /**
   * Runs one kernel store as one change: whole, or, when it throws part-way (a file of its own that
   * cannot be written, the undo journal included), taken back before the exception leaves, as a
   * kernel store fails whole. Each file's undo is journalled before the file changes, so a journal
   * that cannot be written means that file was not changed.
   */
  public synchronized void asOneChange(Runnable store) {
    recover();
    changing = true;
    try {
      store.run();
      storePoint.run();
    } catch (RuntimeException | Error failure) {
      takeBack(failure);
      throw failure;
    } finally {
      changing = false;
    }
    deleteJournal();
  }

  /**
   * Plays a failed store's journal back; if that fails too, the journal stays for the next opening
   * to play.
   */
  private void takeBack(Throwable failure) {
    try {
      recover();
    } catch (RuntimeException | Error notTakenBack) {
      failure.addSuppressed(notTakenBack);
    }
  }

  /**
   * Takes back a store whose process died mid-way (its journal is left); the caller holds the
   * kernel lock.
   */
  public synchronized void recover() {
    Path journal = JOURNAL.under(files.root());
    if (!Files.exists(journal)) {
      return;
    }
    List<Undo> undos = readJournal(journal);
    for (int i = undos.size() - 1; i >= 0; i--) {
      putBack(undos.get(i));
    }
    deleteJournal();
  }

  // --- reads ---------------------------------------------------------------------------------

  @Override
  public String read(HostPath path) {
    return files.read(path);
  }

  @Override
  public byte[] readBytes(HostPath path, int max) {
    return files.readBytes(path, max);
  }

  @Override
  public boolean exists(HostPath path) {
    return files.exists(path);
  }

  @Override
  public List<String> list(HostPath directory) {
    return files.list(directory);
  }

  @Override
  public Optional<HostPath> readLink(HostPath path) {
    return files.readLink(path);
  }

  @Override
  public long usableBytes(HostPath path) {
    return files.usableBytes(path);
  }

  // --- changes -------------------------------------------------------------------------------

  @Override
  public synchronized void write(HostPath path, String value) {
    beforeChange(path);
    HostPath temporary = files.writeBeside(path, value);
    if (changing) {
      storePoint.run(); // written beside, not yet renamed over
    }
    files.renameOver(temporary, path);
  }

  @Override
  public synchronized void createDirectories(HostPath directory) {
    HostPath made = HostPath.ROOT;
    for (String segment : directory.segments()) {
      made = made.resolve(segment);
      if (!files.exists(made)) {
        beforeChange(made); // the first missing folder: taking it back takes the ones below too
        break;
      }
    }
    files.createDirectories(directory);
  }

  @Override
  public synchronized void delete(HostPath path) {
    beforeChange(path);
    files.delete(path);
  }

  @Override
  public synchronized void makeDirectory(HostPath directory) {
    beforeChange(directory);
    files.makeDirectory(directory);
  }

  @Override
  public synchronized void link(HostPath link, HostPath target) {
    beforeChange(link);
    files.link(link, target);
  }

  @Override
  public synchronized void removeTree(HostPath path) {
    beforeChange(path);
    files.removeTree(path);
  }

  /**
   * Inside a change: a crash point, then what the path (and all below it) was, journalled first.
   */
  private void beforeChange(HostPath path) {
    if (!changing) {
      return;
    }
    storePoint.run();
    List<Undo> undos = new ArrayList<>();
    describe(path, undos);
    appendJournal(undos);
  }

  /** Below first, the path last: taken back in reverse, a folder is made before what was in it. */
  private void describe(HostPath path, List<Undo> undos) {
    Path file = path.under(files.root());
    Optional<HostPath> link = files.readLink(path);
    if (link.isPresent()) {
      undos.add(new Undo(path.toString(), "link", null, link.get().toString()));
    } else if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
      for (String name : files.list(path)) {
        describe(path.resolve(name), undos);
      }
      undos.add(new Undo(path.toString(), "dir", null, null));
    } else if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      undos.add(new Undo(path.toString(), "file", files.read(path), null));
    } else {
      undos.add(new Undo(path.toString(), "absent", null, null));
    }
  }

  /**
   * Puts one path back as it was; idempotent, since a recovery may itself be killed and run again.
   */
  private void putBack(Undo undo) {
    HostPath path = undo.hostPath();
    files.dropBeside(path);
    switch (undo.was()) {
      case "absent" -> files.removeTree(path);
      case "link" -> {
        clearUnlessDirectory(path, false);
        files.createDirectories(path.parent());
        files.link(path, HostPath.parse(undo.target()));
      }
      case "dir" -> {
        clearUnlessDirectory(path, true);
        files.createDirectories(path);
      }
      default -> {
        clearUnlessDirectory(path, false);
        files.createDirectories(path.parent());
        HostPath temporary = files.writeBeside(path, undo.content());
        files.renameOver(temporary, path);
      }
    }
  }

  /** Removes what is at the path now when it is not of the kind being put back. */
  private void clearUnlessDirectory(HostPath path, boolean directoryWanted) {
    Path file = path.under(files.root());
    boolean isDirectory = Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS);
    if (isDirectory != directoryWanted || Files.isSymbolicLink(file)) {
      files.removeTree(path);
    }
  }

  private void appendJournal(List<Undo> undos) {
    StringBuilder lines = new StringBuilder();
    try {
      for (Undo undo : undos) {
        lines.append(JSON.writeValueAsString(undo)).append('\n');
      }
      Path journal = JOURNAL.under(files.root());
      Files.createDirectories(journal.getParent());
      // One write(2): a process killed around it leaves the lines whole or not at all.
      Files.write(
          journal,
          lines.toString().getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE,
          StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new HostException("EIO", JOURNAL + ": " + e.getMessage());
    }
  }

  private static List<Undo> readJournal(Path journal) {
    List<Undo> undos = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
        undos.add(JSON.readValue(line, Undo.class));
      }
    } catch (JsonProcessingException cutShort) {
      // A line the dead process did not finish: its change was never made.
    } catch (IOException e) {
      throw new HostException("EIO", JOURNAL + ": " + e.getMessage());
    }
    return undos;
  }

  private void deleteJournal() {
    try {
      Files.deleteIfExists(JOURNAL.under(files.root()));
    } catch (IOException e) {
      throw new HostException("EIO", JOURNAL + ": " + e.getMessage());
    }
  }
}
