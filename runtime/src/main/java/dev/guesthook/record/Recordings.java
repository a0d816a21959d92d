package dev.guesthook.record;

import dev.guesthook.files.SafeFiles;
import dev.guesthook.id.VmId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The recording files in a folder, known by the names {@link Recorder} gives them: {@code
 * <vmid>-<day>.jsonl[.n]}.
 */
public final class Recordings {
  private static final Pattern NAME =
      Pattern.compile("(\\d+)-\\d{4}-\\d{2}-\\d{2}\\.jsonl(\\.\\d+)?");

  private Recordings() {}

  /** Recording files, oldest first: rotated ones (.5 ... .1) before the current one of each day. */
  public static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      // A link is no recording of ours: reading one as root would show whoever planted it another
      // file.
      return list.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .filter(SafeFiles::isRegularFile)
          .sorted((a, b) -> order(a).compareTo(order(b)))
          .toList();
    }
  }

  /**
   * The guests that have recordings in {@code dir}, each with how many files; a name that is no
   * guest id is not one.
   */
  public static Map<VmId, Long> guests(Path dir) throws IOException {
    return files(dir).stream()
        .map(file -> NAME.matcher(file.getFileName().toString()))
        .filter(Matcher::matches)
        .map(name -> name.group(1))
        .filter(VmId::isValid)
        .collect(Collectors.groupingBy(VmId::parse, TreeMap::new, Collectors.counting()));
  }

  private static String order(Path file) {
    String name = file.getFileName().toString();
    int dot = name.indexOf(".jsonl");
    String base = name.substring(0, dot);
    String day = base.substring(base.indexOf('-') + 1);
    String suffix = name.substring(dot + ".jsonl".length());
    int rotation = suffix.isEmpty() ? 0 : Integer.parseInt(suffix.substring(1));
    return day + " " + base + " " + String.format("%03d", 999 - rotation);
  }
}
