package dev.guesthook.pve;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One storage of {@code /etc/pve/storage.cfg} as pve-storage sees it after parsing: shared when its
 * type always is or {@code shared 1} says so, file based when it has a {@code path}, limited to
 * {@code nodes} when given (even as an empty list: then on no node, as storage_check_node finds the
 * empty hash true), off when {@code disable} is set.
 */
public record Storage(
    String id,
    String type,
    Optional<String> path,
    boolean shared,
    boolean disabled,
    Optional<Set<String>> nodes,
    Set<String> content,
    Map<String, String> properties,
    int line) {

  public boolean isFileBased() {
    return path.isPresent();
  }

  /** Why the storage cannot be used on {@code node}, in pve-storage's words; empty when it can. */
  public Optional<String> unavailableOn(String node) {
    if (disabled) {
      return Optional.of("storage '" + id + "' is disabled");
    }
    if (nodes.isPresent() && !nodes.get().contains(node)) {
      return Optional.of("storage '" + id + "' is not available on node '" + node + "'");
    }
    return Optional.empty();
  }
}
