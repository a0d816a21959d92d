package dev.guesthook.record;

/** A recording guesthook cannot read: the message names file, line and why. */
public class RecordingException extends RuntimeException {
  public RecordingException(String message) {
    super(message);
  }
}
