package dev.guesthook.yaml;

/** Configuration that cannot be used; the message names the key and where its value came from. */
public class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }
}
