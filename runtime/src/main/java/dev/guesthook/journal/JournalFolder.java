package dev.guesthook.journal;

import dev.guesthook.id.VmId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The journal folder's entries by name: {@code <vmid>.jsonl} of a valid guest id is that guest's
 * journal (whatever it turns out to be when read); anything else is a stray, reported and never
 * read.
 */
public record JournalFolder(List<VmId> guests, List<Path> strays) {
  static final String SUFFIX = ".jsonl";

  public static JournalFolder list(Path directory) {
    if (!Files.isDirectory(directory)) {
      return new JournalFolder(List.of(), List.of());
    }
    List<VmId> guests = new ArrayList<>();
    List<Path> strays = new ArrayList<>();
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path entry : entries.sorted().toList()) {
        String name = entry.getFileName().toString();
        String id = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : "";
        if (VmId.isValid(id)) {
          guests.add(VmId.parse(id));
        } else {
          strays.add(entry);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory, e);
    }
    guests.sort(null);
    return new JournalFolder(List.copyOf(guests), List.copyOf(strays));
  }
}
