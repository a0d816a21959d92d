package dev.guesthook.check;

import dev.guesthook.devices.PciDevice;
import dev.guesthook.devices.ResetMethods;
import dev.guesthook.host.PciResets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A passed function's reset, for {@code guesthook check}: the methods it offers (or that the kernel
 * has no reset_method, or none at all), and the known advice: a GPU with no reset method, an AMD
 * GPU vendor-reset knows without its module, or with the module whose reset the kernel does not
 * use.
 */
final class ResetAdvice {
  private static final int DISPLAY_CLASS = 0x03;

  private ResetAdvice() {}

  static CheckItem of(String subject, PciDevice device, ResetMethods methods) {
    String who = device.address() + " " + device.ids();
    return item(subject, who, device, methods).withFacts(facts(device, methods));
  }

  private static CheckItem item(
      String subject, String who, PciDevice device, ResetMethods methods) {
    String now = "; reset methods now: " + methods.offeredText();
    if (methods.vendorResetKnows() && !methods.vendorResetLoaded()) {
      return CheckItem.warn(
          subject,
          who
              + ": an AMD GPU vendor-reset knows (the AMD reset bug), and its module "
              + PciResets.VENDOR_RESET_MODULE
              + " is not loaded: install vendor-reset, load it at boot (/etc/modules), and reset"
              + " with device_specific (gpu-release reset.methods: [device_specific])"
              + now);
    }
    if (methods.vendorResetKnows()
        && methods.orderable()
        && !methods.enabled().contains(PciResets.DEVICE_SPECIFIC)) {
      return CheckItem.warn(
          subject,
          who
              + ": vendor_reset is loaded, but its reset_method does not name device_specific, so"
              + " the kernel does not use it: gpu-release reset.methods: [device_specific], or"
              + " vendor-reset's udev rule"
              + now);
    }
    if (!methods.resettable()) {
      return isGpu(device)
          ? CheckItem.warn(
              subject,
              who
                  + ": a GPU with no reset method: after a guest it may come back broken or not at"
                  + " all, and a second start may fail; give it to one guest per host boot, or"
                  + " use a slot where it is alone on its bus (bus reset)")
          : CheckItem.pass(subject, who + ": no reset method");
    }
    if (!methods.orderable()) {
      return CheckItem.pass(
          subject,
          who
              + ": can be reset; this kernel has no reset_method (before Linux 5.15), so the"
              + " order cannot be chosen");
    }
    if (methods.enabled().isEmpty()) {
      return CheckItem.warn(
          subject,
          who
              + ": every reset method is disabled (its reset_method is empty): QEMU cannot reset"
              + " it; name the methods in gpu-release reset.methods or write 'default' there");
    }
    return CheckItem.pass(subject, who + ": reset methods " + String.join(" ", methods.enabled()));
  }

  private static boolean isGpu(PciDevice device) {
    return device.classCode() >> 16 == DISPLAY_CLASS;
  }

  private static Map<String, Object> facts(PciDevice device, ResetMethods methods) {
    Map<String, Object> reset = new LinkedHashMap<>();
    reset.put("function", device.address().value());
    reset.put("resettable", methods.resettable());
    reset.put("resetMethodFile", methods.orderable());
    reset.put("enabled", methods.enabled());
    reset.put("offered", methods.offered());
    reset.put("vendorResetKnows", methods.vendorResetKnows());
    reset.put("vendorResetLoaded", methods.vendorResetLoaded());
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("reset", reset);
    return facts;
  }
}
