package dev.guesthook.devices;

/** A device operation that cannot be done as asked; the message names the device, type or value. */
public class DeviceException extends RuntimeException {
  public DeviceException(String message) {
    super(message);
  }
}
