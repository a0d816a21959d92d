package dev.guesthook.pve.schema;

import dev.guesthook.id.Printable;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code pve-storage-id} format, as pve-common's {@code PVE::JSONSchema::parse_id} checks it:
 * at least 2 characters, a letter first, then letters, digits, '-', '_' or '.', ending in a letter
 * or digit; upper and lower case alike (upstream's regex has {@code /i}).
 */
public final class StorageId {
  /** The id alone; {@link #VOLUME} has it before the colon of a volume id. */
  static final String REGEX = "[a-z][a-z0-9\\-_.]*[a-z0-9]";

  private static final Pattern ID = Pattern.compile(REGEX, Pattern.CASE_INSENSITIVE);

  /** pve-storage's parse_volume_id: {@code storage:name}. */
  public static final Pattern VOLUME =
      Pattern.compile("(" + REGEX + "):(.+)", Pattern.CASE_INSENSITIVE);

  private StorageId() {}

  /** Why {@code id} is not a storage id, in parse_id's words; empty when it is one. */
  public static Optional<String> refusal(String id) {
    if (id.length() < 2) {
      return Optional.of(
          "storage ID '" + Printable.of(id) + "' cannot be shorter than 2 characters");
    }
    if (!ID.matcher(id).matches()) {
      return Optional.of("storage ID '" + Printable.of(id) + "' contains illegal characters");
    }
    return Optional.empty();
  }

  public static boolean isValid(String id) {
    return refusal(id).isEmpty();
  }
}
