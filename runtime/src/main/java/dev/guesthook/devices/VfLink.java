package dev.guesthook.devices;

import dev.guesthook.id.MacAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A VF's link settings as {@code ip link} sets and shows them. VLAN 0 means untagged. */
public record VfLink(MacAddress mac, int vlan, boolean spoofchk, boolean trust) {
  public VfLink {
    if (vlan < 0 || vlan > 4094) {
      throw new IllegalArgumentException("invalid VLAN " + vlan + ": expected 0 (none) to 4094");
    }
  }

  /**
   * The {@code ip link set} words that turn {@code current} into this, and only those: drivers
   * differ in what they accept (some refuse an all-zero MAC), so what is already right is not set
   * again.
   */
  List<String> argumentsFrom(VfLink current) {
    List<String> words = new ArrayList<>();
    if (!mac.equals(current.mac)) {
      words.addAll(List.of("mac", mac.value()));
    }
    if (vlan != current.vlan) {
      words.addAll(List.of("vlan", Integer.toString(vlan)));
    }
    if (spoofchk != current.spoofchk) {
      words.addAll(List.of("spoofchk", spoofchk ? "on" : "off"));
    }
    if (trust != current.trust) {
      words.addAll(List.of("trust", trust ? "on" : "off"));
    }
    return words;
  }

  /**
   * For saved state: plain values that survive JSON, in one order (Map.of's iteration order changes
   * from one JVM to the next, and the state file is shown in a phase's output and recordings).
   */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("mac", mac.value());
    map.put("vlan", vlan);
    map.put("spoofchk", spoofchk);
    map.put("trust", trust);
    return map;
  }

  public static VfLink fromMap(Map<?, ?> map) {
    return new VfLink(
        MacAddress.parse(String.valueOf(map.get("mac"))),
        ((Number) map.get("vlan")).intValue(),
        Boolean.TRUE.equals(map.get("spoofchk")),
        Boolean.TRUE.equals(map.get("trust")));
  }
}
