package dev.guesthook.yaml;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" for misspelt names: the closest known name within a small edit distance. */
public final class Suggestions {
  private Suggestions() {}

  /** The closest of {@code known}, when it is close enough to be the name the user meant. */
  public static Optional<String> closest(String typed, Collection<String> known) {
    String lower = typed.toLowerCase(Locale.ROOT);
    return known.stream()
        .min(
            Comparator.comparingInt(
                (String name) -> distance(lower, name.toLowerCase(Locale.ROOT))))
        .filter(
            name ->
                distance(lower, name.toLowerCase(Locale.ROOT)) <= Math.max(2, typed.length() / 3)
                    || sharesAStart(lower, name.toLowerCase(Locale.ROOT)));
  }

  /** {@code ; did you mean 'numvfs'?}, or nothing. */
  public static String didYouMean(String typed, Collection<String> known) {
    return closest(typed, known).map(name -> "; did you mean '" + name + "'?").orElse("");
  }

  /**
   * {@code boolean} for {@code bool}, {@code numvfs_total} for {@code numvfs}: one name begins the
   * other.
   */
  private static boolean sharesAStart(String typed, String name) {
    return Math.min(typed.length(), name.length()) >= 3
        && (typed.startsWith(name) || name.startsWith(typed));
  }

  /** Levenshtein distance, with '_' and '-' counted as the same character. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = same(a.charAt(i - 1), b.charAt(j - 1)) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static boolean same(char x, char y) {
    return x == y || (x == '_' || x == '-') && (y == '_' || y == '-');
  }
}
