package dev.guesthook.host.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.host.HostInteraction;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.TracingHost;
import dev.guesthook.host.real.LinuxHost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tracing changes no answer: the real host seen through the tracer keeps the contract. */
class TracingHostContractTest extends HostPortContract {
  private final List<HostInteraction> seen = new ArrayList<>();

  @Override
  protected HostPort create(Path root) {
    return new TracingHost(LinuxHost.over(root), seen::add);
  }

  @Test
  void reportsEveryCallFailuresIncluded() throws Exception {
    check(
        h -> {
          h.read(CONFIG);
          assertErrno("ENOENT", () -> h.read(MISSING));
        });
    assertEquals(List.of(false, true), seen.stream().map(HostInteraction::failed).toList());
  }
}
