package dev.guesthook.yaml;

/** A YAML text refused before anything reads it; the message names the file and, where known, the line. */
public class YamlException extends Exception {
  public YamlException(String message) {
    super(message);
  }
}
