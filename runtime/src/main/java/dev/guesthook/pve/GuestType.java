package dev.guesthook.pve;

/** Proxmox calls the same hookscript for VMs and containers; the config's folder tells which. */
public enum GuestType {
  QEMU("qemu", "qemu-server", "qm"),
  LXC("lxc", "lxc", "pct");

  private final String wireName;
  private final String configFolder;
  private final String tool;

  GuestType(String wireName, String configFolder, String tool) {
    this.wireName = wireName;
    this.configFolder = configFolder;
    this.tool = tool;
  }

  public String wireName() {
    return wireName;
  }

  /** The folder under {@code /etc/pve} holding this guest type's configs. */
  public String configFolder() {
    return configFolder;
  }

  /** Proxmox's command for this guest type ({@code qm set}, {@code pct set}, ...). */
  public String tool() {
    return tool;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
