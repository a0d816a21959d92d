package dev.guesthook.core.hookhost;

import dev.guesthook.core.event.Phase;
import dev.guesthook.core.settings.SettingsDeclaration;
import dev.guesthook.core.settings.SettingsSchema;
import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** The {@code hook(name) { ... }} block of a hook file: its order, timeout and phase handlers. */
public final class HookSpec {
  public static final int DEFAULT_ORDER = 50;
  private static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";

  private final String name;
  private final String origin;
  private int order = DEFAULT_ORDER;
  private Duration timeout;
  private String description = "";
  private final Map<Phase, Closure<?>> handlers = new EnumMap<>(Phase.class);
  private SettingsSchema settings = SettingsSchema.NONE;
  private Closure<?> check;

  HookSpec(String name, String origin) {
    requireValidName(name);
    this.name = name;
    this.origin = origin;
  }

  /**
   * Refuses what a hook file may not be named in {@code hook(name)}: the one rule, for the loader
   * and for {@code guesthook new-hook}.
   */
  public static void requireValidName(String name) {
    if (name == null || !name.matches(NAME_PATTERN)) {
      throw new IllegalArgumentException(
          "invalid hook name '" + name + "': use letters, digits, '.', '_' and '-' (at most 64)");
    }
  }

  /** Lower runs first (default 50); hooks with the same order run by name. */
  public void order(int value) {
    this.order = value;
  }

  /** This hook's timeout in seconds, instead of the configured default. */
  public void timeout(Number seconds) {
    if (seconds.doubleValue() <= 0) {
      throw new IllegalArgumentException(
          "hook '" + name + "': timeout must be positive, got " + seconds);
    }
    this.timeout = Duration.ofMillis(Math.round(seconds.doubleValue() * 1000));
  }

  public void description(String text) {
    this.description = text;
  }

  /** Handles one phase; the handler gets the event and runs with the hook context as delegate. */
  public void on(
      String phase,
      @DelegatesTo(value = HookContext.class, strategy = Closure.DELEGATE_FIRST)
          Closure<?> handler) {
    Phase parsed;
    try {
      parsed = Phase.parse(phase);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("hook '" + name + "': " + e.getMessage());
    }
    if (handlers.containsKey(parsed)) {
      throw new IllegalArgumentException("hook '" + name + "': two handlers for " + parsed);
    }
    handlers.put(parsed, handler);
  }

  /**
   * Declares the settings this hook takes (see {@link SettingsDeclaration}); without it, it takes
   * none.
   */
  public void settings(
      @DelegatesTo(value = SettingsDeclaration.class, strategy = Closure.DELEGATE_FIRST)
          Closure<?> body) {
    settings(Map.of(), body);
  }

  /** {@code settings(open: true) { ... }}: keys it does not declare are passed on unchecked. */
  public void settings(
      Map<String, ?> options,
      @DelegatesTo(value = SettingsDeclaration.class, strategy = Closure.DELEGATE_FIRST)
          Closure<?> body) {
    if (settings.declared()) {
      throw new IllegalArgumentException("hook '" + name + "': two settings { } blocks");
    }
    settings = SettingsDeclaration.declare(name, options, body);
  }

  /**
   * What {@code guesthook check VMID} asks this hook: can this node give the guest what its
   * settings ask for? It runs like a pre-start handler on a dry-run host, and says {@code pass},
   * {@code warn} or {@code fail}; an exception is a fail.
   */
  public void check(
      @DelegatesTo(value = HookContext.class, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
    if (check != null) {
      throw new IllegalArgumentException("hook '" + name + "': two check { } blocks");
    }
    check = body;
  }

  void checkComplete() {
    if (handlers.isEmpty()) {
      throw new IllegalArgumentException(
          "hook '"
              + name
              + "' handles no phase: add on('pre-start') { ev -> ... } or another phase");
    }
  }

  String name() {
    return name;
  }

  String origin() {
    return origin;
  }

  int order() {
    return order;
  }

  Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  String description() {
    return description;
  }

  SettingsSchema settings() {
    return settings;
  }

  Optional<Closure<?>> check() {
    return Optional.ofNullable(check);
  }

  Map<Phase, Closure<?>> handlers() {
    return handlers;
  }
}
