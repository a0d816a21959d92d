package dev.guesthook.core.settings;

import dev.guesthook.yaml.ConfigException;

/**
 * Hook settings that do not fit the hooks' declarations: nothing runs (exit 2), nothing changes.
 */
public final class SettingsException extends ConfigException {
  private final boolean unknownHook;

  public SettingsException(String message) {
    this(message, false);
  }

  SettingsException(String message, boolean unknownHook) {
    super(message);
    this.unknownHook = unknownHook;
  }

  /**
   * Whether it is settings for a hook that is not loaded (a typo, or a hook not installed on this
   * node).
   */
  public boolean unknownHook() {
    return unknownHook;
  }
}
