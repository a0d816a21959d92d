package dev.guesthook.testbed;

import dev.guesthook.host.HostPort;
import java.util.List;

/** Operations written once and run on both kernels; equal outcome lists mean the kernels agree. */
record Scenario(String name, List<Step> steps) {
  List<String> run(HostPort host) {
    return steps.stream().map(step -> step.describe() + "  =>  " + step.outcome(host)).toList();
  }

  @Override
  public String toString() {
    return name;
  }
}
