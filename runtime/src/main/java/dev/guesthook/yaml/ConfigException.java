package dev.guesthook.yaml;


/** Configuration that cannot be used; the message names the key and where its value came from. */
public class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }

  /** A settings file the YAML reader refused: the same message, now a configuration that cannot be used. */
  public static ConfigException of(YamlException refused) {
    return new ConfigException(refused.getMessage());
  }
}
