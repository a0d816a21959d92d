package dev.guesthook.core.dispatch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the domain hands its hooks through the core without the core knowing it: a small map from a
 * service's type to the one instance for a phase (e.g. the guest's device ledger). The core only
 * carries it to each invocation; the domain's hook API takes out what it put in.
 */
public final class HookServices {
  public static final HookServices NONE = new HookServices(Map.of());

  private final Map<Class<?>, Object> byType;

  private HookServices(Map<Class<?>, Object> byType) {
    this.byType = byType;
  }

  /** One service, e.g. {@code HookServices.of(Ledger.class, ledger)}. */
  public static <T> HookServices of(Class<T> type, T service) {
    return NONE.with(type, service);
  }

  /** These services and one more; a type given twice keeps the newer service. */
  public <T> HookServices with(Class<T> type, T service) {
    Map<Class<?>, Object> more = new LinkedHashMap<>(byType);
    more.put(type, type.cast(service));
    return new HookServices(Map.copyOf(more));
  }

  public <T> Optional<T> find(Class<T> type) {
    return Optional.ofNullable(type.cast(byType.get(type)));
  }
}
