package dev.guesthook.yaml;

/**
 * Configuration that cannot be used: a settings file the YAML reader refused, or a value that does
 * not fit; the message names the file, line and key. Here, below both the runtime's configuration
 * and the core's hook settings contract, so each can fail with it.
 */
public class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }
}
