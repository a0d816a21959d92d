package dev.guesthook.serve;

import dev.guesthook.core.event.Phase;
import dev.guesthook.id.Printable;
import dev.guesthook.id.VmId;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One request of the hookscript client, protocol version 1: a single line {@code guesthook/1 <vmid>
 * <phase> <migrated-from or ->}. The answer is the phase's output, each line prefixed {@code L },
 * then {@code X <exit code>}; or {@code B} alone when the runtime dropped the connection before it
 * read the request (nothing ran: the client takes the one-shot path).
 */
public record PhaseCall(VmId vmid, Phase phase, Optional<String> migratedFrom) {
  public static final String PROTOCOL = "guesthook/1";
  private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,62}");

  public static PhaseCall parse(String line) {
    String[] words = line == null ? new String[0] : line.strip().split(" ");
    if (words.length != 4 || !words[0].equals(PROTOCOL)) {
      throw new IllegalArgumentException(
          "not a " + PROTOCOL + " request: '" + Printable.of(line) + "'");
    }
    Optional<String> from = words[3].equals("-") ? Optional.empty() : Optional.of(words[3]);
    if (from.isPresent() && !NODE.matcher(from.get()).matches()) {
      throw new IllegalArgumentException(
          "invalid migrated-from node '" + Printable.of(words[3]) + "'");
    }
    return new PhaseCall(VmId.parse(words[1]), Phase.parse(words[2]), from);
  }

  public String line() {
    return PROTOCOL + " " + vmid + " " + phase.wireName() + " " + migratedFrom.orElse("-");
  }
}
