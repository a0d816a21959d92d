package dev.guesthook.host;

import dev.guesthook.id.Printable;

/**
 * A device left with a kernel write that never returned: which device, which write, since when, and
 * what still holds it (the helper process, or the simulator's thread).
 *
 * @param since when the write was given up on, ISO-8601 UTC
 * @param pid the helper's process id; the runtime's own for the simulator's thread
 */
public record Wedge(
    String device, String path, String value, String since, String holder, long pid) {
  /** The {@code since} of a mark that cannot be read. */
  static final String UNREADABLE = "unreadable";

  /** A mark that cannot be read: its device is taken as wedged all the same. */
  static Wedge unreadable(String device, HostPath mark, String why) {
    return new Wedge(device, mark.toString(), "", UNREADABLE, Printable.of(why), 0);
  }

  /** The command that takes a wedge mark away, named in every message that shows one. */
  public static String clearCommand(String device) {
    return "guesthook wedged --clear " + device;
  }

  /** The stuck write, as messages name it. */
  public String write() {
    try {
      return new RiskyWrite(HostPath.parse(path), value, device).describe();
    } catch (IllegalArgumentException notAPath) {
      return "'" + Printable.of(path) + "'"; // a mark not written by guesthook
    }
  }

  /**
   * What is stuck, and since when: {@code write 'unbind' (...) has not returned since ... (dd pid
   * 42)}.
   */
  public String stuck() {
    if (UNREADABLE.equals(since)) {
      return "its mark " + path + " cannot be read (" + holder + "), so it is taken as wedged";
    }
    // A mark is a file: what it says is printed as text, never as terminal control or a new line.
    return "write "
        + write()
        + " has not returned since "
        + Printable.of(since)
        + " ("
        + Printable.of(holder)
        + ")";
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
