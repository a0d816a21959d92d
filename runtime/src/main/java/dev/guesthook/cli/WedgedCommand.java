package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.host.RiskyWrite;
import dev.guesthook.host.Wedge;
import dev.guesthook.host.WedgedDevices;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.Printable;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook wedged}: the devices a kernel write hung on, and taking a mark away. */
@Command(
    name = "wedged",
    header = "List the devices a kernel write hung on; --clear a device once it works again.",
    mixinStandardHelpOptions = true,
    description = {
      "A driver's unbind, bind or probe, a reset, a remove, an mdev's create can wait in the kernel",
      "for as long as the device or its driver lets it, and nothing can interrupt it. guesthook makes",
      "these writes in a helper process each and gives up on one that has not returned by the hook's",
      "timeout (60 s outside a hook): the hook fails, the guest's lock is released, and the device is",
      "marked wedged under /run/guesthook/wedged. Every later such write to it, from any guest, is",
      "refused at once, changing nothing, until the mark is cleared. A reboot clears the marks.",
      "Before --clear: look at `dmesg` for the device; a process still stuck in the write (the pid",
      "shown) stays until the kernel lets go of it. Exit 0 when no device is wedged (or the mark was",
      "cleared), 1 when one is (or there was no mark to clear), 2 for a name that is no device."
    })
final class WedgedCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(
      names = "--clear",
      paramLabel = "DEVICE",
      description = "Take the mark away from DEVICE (a PCI address, an mdev UUID, 'driver NAME').")
  String clear;

  @Override
  public Integer call() {
    Optional<String> device;
    try {
      device = Optional.ofNullable(clear).map(WedgedCommand::deviceName);
    } catch (IllegalArgumentException e) {
      main.console.error(e.getMessage());
      return ExitCodes.USAGE;
    }
    return main.withHost(
        (settings, host, node) -> {
          WedgedDevices wedged = new WedgedDevices(host);
          Optional<Boolean> cleared = device.map(wedged::clear);
          List<Wedge> left = wedged.all();
          print(device, cleared, left);
          boolean ok = cleared.orElse(left.isEmpty());
          return ok ? ExitCodes.OK : ExitCodes.HOOK_FAILED;
        });
  }

  /** A device as marks name it: a PCI address, an mdev's UUID, or {@code driver NAME}. */
  static String deviceName(String text) {
    if (text.startsWith("driver ")) {
      return "driver " + new DriverName(text.substring("driver ".length())).value();
    }
    return RiskyWrite.deviceNamed(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "--clear "
                        + Printable.of(text)
                        + ": expected a PCI address (0000:01:00.0), an mdev UUID or 'driver NAME'"));
  }

  private void print(Optional<String> device, Optional<Boolean> cleared, List<Wedge> left) {
    PrintStream out = main.console.out();
    if (main.options.json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      device.ifPresent(d -> doc.put("clear", d));
      cleared.ifPresent(c -> doc.put("cleared", c));
      doc.put("wedged", left.stream().map(WedgedCommand::json).toList());
      out.println(Report.write(doc));
      return;
    }
    device.ifPresent(
        d ->
            out.println(
                cleared.orElse(false)
                    ? d + ": mark cleared; writes to it are made again"
                    : d + ": not marked wedged; nothing to clear"));
    if (left.isEmpty() && device.isEmpty()) {
      out.println("guesthook wedged: no device is marked wedged");
    }
    for (Wedge wedge : left) {
      out.println(wedge.device() + ": " + wedge.stuck());
      out.println("  fix: " + wedge.fix());
    }
  }

  private static Map<String, Object> json(Wedge wedge) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("device", wedge.device());
    doc.put("path", wedge.path());
    doc.put("value", wedge.value());
    doc.put("since", wedge.since());
    doc.put("holder", wedge.holder());
    doc.put("pid", wedge.pid());
    doc.put("fix", wedge.fix());
    return doc;
  }
}
