package dev.guesthook.pve;

/** Proxmox calls the same hookscript for VMs and containers; the config's folder tells which. */
public enum GuestType {
  QEMU("qemu", "qemu-server"),
  LXC("lxc", "lxc");

  private final String wireName;
  private final String configFolder;

  GuestType(String wireName, String configFolder) {
    this.wireName = wireName;
    this.configFolder = configFolder;
  }

  public String wireName() {
    return wireName;
  }

  /** The folder under {@code /etc/pve} holding this guest type's configs. */
  public String configFolder() {
    return configFolder;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
