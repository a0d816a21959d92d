package dev.guesthook.devices;

/**
 * A device operation that cannot be done in the host's present state; the message names the device,
 * type or value and is shown to the admin as it is.
 */
public class DeviceException extends IllegalStateException {
  public DeviceException(String message) {
    super(message);
  }
}
