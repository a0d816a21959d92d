package dev.guesthook.pve;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A guest's configuration as Proxmox VE writes it: the current (top) section's keys in file order,
 * the description comment, the raw text. Read-only: guesthook never writes Proxmox's files.
 */
public final class VmConfig {
  private final String origin;
  private final String rawText;
  private final Map<String, String> current;
  private final String description;
  private final Map<String, Map<String, String>> sections;

  VmConfig(
      String origin,
      String rawText,
      Map<String, String> current,
      String description,
      Map<String, Map<String, String>> sections) {
    this.origin = origin;
    this.rawText = rawText;
    this.current = Collections.unmodifiableMap(new LinkedHashMap<>(current));
    this.description = description;
    this.sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
  }

  /** Where the config was read from, for messages. */
  public String origin() {
    return origin;
  }

  public String rawText() {
    return rawText;
  }

  /** The current configuration: the top section, keys in file order. */
  public Map<String, String> current() {
    return current;
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(current.get(key));
  }

  /** The {@code #} comment lines at the top, joined by newlines. */
  public String description() {
    return description;
  }

  /** Snapshot sections by name, plus {@code PENDING} when Proxmox has pending changes. */
  public Map<String, Map<String, String>> sections() {
    return sections;
  }

  public Optional<String> lock() {
    return get("lock");
  }

  public Optional<String> vmstate() {
    return get("vmstate");
  }

  /** Hibernated with {@code qm suspend --todisk}: the state volume is set and the lock says so. */
  public boolean isHibernated() {
    return vmstate().isPresent() && lock().filter("suspended"::equals).isPresent();
  }
}
