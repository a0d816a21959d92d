package dev.guesthook.record;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One file of a replay: its counts, and with {@code --update} what the hooks do now, written beside
 * it and put in its place once every event of it was reported, unless a record was skipped or a
 * hook it recorded is not loaded now: then the file is left as it was, so no record and no hook's
 * expectation is lost without its owner deciding ({@code --hooks} replaces the configured folders:
 * one folder of changed hooks alone would drop every stock hook's part).
 */
final class ReplayedFile {
  private final Path file;
  private final Path updated;
  private final BufferedWriter out;
  private Replayer.Summary summary = new Replayer.Summary(0, 0, 0);
  private boolean failed;
  private final Set<String> missingNow = new LinkedHashSet<>();

  private ReplayedFile(Path file, Path updated, BufferedWriter out) {
    this.file = file;
    this.updated = updated;
    this.out = out;
  }

  static ReplayedFile open(Path file, boolean update) throws IOException {
    Path updated = file.resolveSibling(file.getFileName() + ".replay-update");
    return new ReplayedFile(file, updated, update ? writerBeside(file, updated) : null);
  }

  /**
   * A new file for the update, with the recording's own permissions (a recording may be the owner's
   * only; its update must not be readable by others when it takes its place). Whatever is at that
   * name, a leftover of a killed replay or a planted link, is removed first, never followed.
   */
  private static BufferedWriter writerBeside(Path file, Path updated) throws IOException {
    Files.deleteIfExists(updated);
    FileAttribute<Set<PosixFilePermission>> sameMode =
        PosixFilePermissions.asFileAttribute(Files.getPosixFilePermissions(file));
    return new BufferedWriter(
        Channels.newWriter(
            Files.newByteChannel(
                updated,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                sameMode),
            StandardCharsets.UTF_8));
  }

  Replayer.Summary summary() {
    return summary;
  }

  void count(Replayer.Summary more) {
    summary = summary.plus(more);
  }

  /** Its reading failed: nothing of it is put in place. */
  void failed() {
    failed = true;
  }

  /** Whether it is rewritten ({@code --update}). */
  boolean updating() {
    return out != null;
  }

  /** Hooks that ran in one of its recorded events and are not loaded now. */
  void missingNow(List<String> hooks) {
    missingNow.addAll(hooks);
  }

  /** What the hooks did now for one event, in the file's order. */
  void write(Recording now) throws IOException {
    out.write(RecordingCodec.write(now));
    out.newLine();
  }

  /** Every event of it was reported: the update is put in place, or left and said why. */
  void finish(Consumer<String> warn) throws IOException {
    if (out == null) {
      return;
    }
    out.close();
    if (failed) {
      Files.deleteIfExists(updated);
    } else if (summary.skipped() > 0) {
      leftAsItWas();
      warn.accept(
          file
              + ": not updated, as "
              + summary.skipped()
              + (summary.skipped() == 1 ? " record was" : " records were")
              + " skipped (remove or repair them, then --update again)");
    } else if (!missingNow.isEmpty()) {
      leftAsItWas();
      warn.accept(
          file
              + ": not updated, as "
              + (missingNow.size() == 1 ? "hook " : "hooks ")
              + String.join(", ", missingNow)
              + " ran in the recording and no hook folder loaded now has "
              + (missingNow.size() == 1 ? "it" : "them")
              + " (--hooks replaces the configured folders; fix: give each folder, e.g. --hooks"
              + " /usr/share/guesthook/hooks/stock --hooks ./my-hooks; a hook removed on purpose:"
              + " record its guests' lifecycles again)");
    } else {
      Files.move(
          updated, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private void leftAsItWas() throws IOException {
    Files.deleteIfExists(updated);
    summary = summary.plus(new Replayer.Summary(0, 0, 0, 1));
  }

  /** The replay stopped before this file was finished: its update is dropped. */
  void discard() throws IOException {
    if (out != null) {
      out.close();
      Files.deleteIfExists(updated);
    }
  }
}
