package dev.guesthook.hookapi;

import dev.guesthook.core.hookhost.HookFunction;
import dev.guesthook.core.hookhost.HookGlobal;
import dev.guesthook.core.hookhost.HookScopeContribution;
import dev.guesthook.id.VmId;
import java.util.List;

/**
 * A site's own contribution to hooks' scope, as a site would ship it in a jar of its own: an {@code
 * inventory} object and a {@code rackOf(vmid)} function. Only the test that drops it in a jar
 * installs it (its service entry is written by the test, not kept in test resources).
 */
public final class SiteInventory implements HookScopeContribution {
  /** What the site's inventory knows of a guest. */
  public record Inventory(String site) {
    public String ownerOf(VmId vmid) {
      return "team-" + (vmid.value() % 2 == 0 ? "even" : "odd") + "@" + site;
    }
  }

  @Override
  public List<HookGlobal> globals() {
    return List.of(
        HookGlobal.property(
            "inventory", scope -> new Inventory("lab-" + scope.invocation().event().vmid())),
        HookGlobal.function(
            "rackOf", scope -> (HookFunction) vmid -> "rack-" + vmid.toString().charAt(0)));
  }
}
