package dev.guesthook.host;

/**
 * A device left with a kernel write that never returned: which device, which write, since when, and
 * what still holds it (the helper process, or the simulator's thread).
 *
 * @param since when the write was given up on, ISO-8601 UTC
 * @param pid the helper's process id; the runtime's own for the simulator's thread
 */
public record Wedge(
    String device, String path, String value, String since, String holder, long pid) {
  /** The command that takes a wedge mark away, named in every message that shows one. */
  public static String clearCommand(String device) {
    return "guesthook wedged --clear " + device;
  }

  /** The stuck write, as messages name it. */
  public String write() {
    return new RiskyWrite(HostPath.parse(path), value, device).describe();
  }

  /**
   * What is stuck, and since when: {@code write 'unbind' (...) has not returned since ... (dd pid
   * 42)}.
   */
  public String stuck() {
    return "write " + write() + " has not returned since " + since + " (" + holder + ")";
  }

  /** What an admin does about it. */
  public String fix() {
    return "look at `dmesg` for "
        + device
        + " (a driver stuck in probe or remove, a device that stopped answering); a reboot clears"
        + " it; once the device answers again, run `"
        + clearCommand(device)
        + "`";
  }

  /** Why {@code refused} is not made: names the device, the stuck write, since when and the fix. */
  public String refusal(RiskyWrite refused) {
    return "refused write "
        + refused.path()
        + ": device "
        + device
        + " is wedged: "
        + stuck()
        + "; nothing was written. Fix: "
        + fix();
  }
}
