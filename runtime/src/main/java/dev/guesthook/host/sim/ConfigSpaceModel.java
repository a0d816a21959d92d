package dev.guesthook.host.sim;

import dev.guesthook.host.HostPath;
import dev.guesthook.id.PciAddress;
import java.util.Arrays;
import java.util.Optional;

/**
 * A function's {@code config}: its configuration space header as the kernel reads it from the
 * device, built from the attributes the sandbox keeps (ids, class, subsystem ids). Checked against
 * the test bed's kernel: a VF reads vendor and device {@code ffff} (the SR-IOV specification; sysfs
 * {@code vendor} and {@code device} show the ids the kernel knows), and a function that stopped
 * answering reads all-ones everywhere, while sysfs keeps the ids it cached at enumeration.
 */
final class ConfigSpaceModel {
  /**
   * Conventional configuration space; PCIe functions have 4096, guesthook reads only the header.
   */
  static final int SIZE = 256;

  private static final HostPath NOT_ANSWERING = Sysfs.PRIVATE.resolve("not-answering");
  private static final int BRIDGE_CLASS = 0x0604;

  private final Sysfs sysfs;

  ConfigSpaceModel(Sysfs sysfs) {
    this.sysfs = sysfs;
  }

  /**
   * The bytes a read of {@code path} gives when it is a modelled function's {@code config}; empty
   * for any other file, and for a {@code config} the tree holds itself (a dry run on a node reads
   * the real one).
   */
  Optional<byte[]> read(HostPath path, int max) {
    Optional<PciAddress> function = functionOf(path);
    if (function.isEmpty()) {
      return Optional.empty();
    }
    byte[] space = answers(function.get()) ? header(function.get()) : filled(SIZE, (byte) 0xff);
    return Optional.of(Arrays.copyOf(space, Math.min(max, space.length)));
  }

  /** From now on the function reads all-ones, as one that fell off the bus or hangs. */
  void stopAnswering(PciAddress function) {
    sysfs.tree().createDirectories(NOT_ANSWERING);
    sysfs.tree().write(NOT_ANSWERING.resolve(function.value()), "all-ones\n");
  }

  void answerAgain(PciAddress function) {
    sysfs.tree().delete(NOT_ANSWERING.resolve(function.value()));
  }

  private boolean answers(PciAddress function) {
    return !sysfs.tree().exists(NOT_ANSWERING.resolve(function.value()));
  }

  private Optional<PciAddress> functionOf(HostPath path) {
    if (!path.name().equals("config") || path.segments().size() < 2) {
      return Optional.empty();
    }
    Optional<PciAddress> function = PciAddress.ofName(path.parent().name());
    if (function.isEmpty()
        || !sysfs.tree().exists(path.parent().resolve("vendor"))
        || (sysfs.tree().exists(path) && answers(function.get()))) {
      return Optional.empty();
    }
    return function;
  }

  private byte[] header(PciAddress function) {
    byte[] space = new byte[SIZE];
    boolean virtual = sysfs.tree().exists(sysfs.deviceDir(function).resolve("physfn"));
    int classCode = sysfs.hexAttribute(function, "class");
    word(space, 0x00, virtual ? 0xffff : sysfs.hexAttribute(function, "vendor"));
    word(space, 0x02, virtual ? 0xffff : sysfs.hexAttribute(function, "device"));
    space[0x09] = (byte) classCode;
    space[0x0a] = (byte) (classCode >> 8);
    space[0x0b] = (byte) (classCode >> 16);
    space[0x0e] = (byte) ((classCode >> 8) == BRIDGE_CLASS ? 1 : 0);
    word(space, 0x2c, sysfs.hexAttribute(function, "subsystem_vendor"));
    word(space, 0x2e, sysfs.hexAttribute(function, "subsystem_device"));
    return space;
  }

  /** Configuration space is little-endian. */
  private static void word(byte[] space, int offset, int value) {
    space[offset] = (byte) value;
    space[offset + 1] = (byte) (value >> 8);
  }

  private static byte[] filled(int size, byte value) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, value);
    return bytes;
  }
}
