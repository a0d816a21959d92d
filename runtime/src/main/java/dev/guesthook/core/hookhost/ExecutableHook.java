package dev.guesthook.core.hookhost;

import dev.guesthook.core.dispatch.Hook;
import dev.guesthook.core.dispatch.HookInvocation;
import dev.guesthook.core.dispatch.HookTimedOut;
import dev.guesthook.core.event.HookEvent;
import dev.guesthook.core.event.Phase;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An existing hookscript (perl, sh, anything executable) run as a hook, exactly as Proxmox would
 * run it: {@code <file> <vmid> <phase>} with stdin at EOF and Proxmox's environment (see {@link
 * HookEvent#executableEnvironment}), its output into the task log, its exit code as the outcome.
 * Its order comes from a run-parts style prefix ({@code 10-vfio.sh}), else the default.
 */
final class ExecutableHook implements Hook {
  private static final Pattern ORDER_PREFIX = Pattern.compile("^(\\d{1,4})[-_].+");

  private final Path file;
  private final Duration timeout;

  ExecutableHook(Path file, Duration timeout) {
    this.file = file;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return file.getFileName().toString();
  }

  @Override
  public int order() {
    Matcher prefix = ORDER_PREFIX.matcher(name());
    return prefix.matches() ? Integer.parseInt(prefix.group(1)) : HookSpec.DEFAULT_ORDER;
  }

  @Override
  public Set<Phase> phases() {
    return EnumSet.allOf(Phase.class);
  }

  @Override
  public String origin() {
    return file.toString();
  }

  @Override
  public Optional<Duration> timeout() {
    return Optional.empty();
  }

  @Override
  public String kind() {
    return "executable";
  }

  @Override
  public void run(HookInvocation invocation) {
    HookEvent event = invocation.event();
    HostCommand command =
        new HostCommand(
            List.of(file.toString(), event.vmid().toString(), event.phase().wireName()),
            event.executableEnvironment(),
            timeout,
            line -> invocation.log().info(line));
    CommandResult result = invocation.host().run(command);
    switch (result.status()) {
      case RAN -> {
        if (result.exitCode() != 0) {
          throw new IllegalStateException(
              "exit code "
                  + result.exitCode()
                  + (result.lastLine().isEmpty() ? "" : ": " + result.lastLine()));
        }
      }
      case TIMED_OUT ->
          throw new HookTimedOut(
              "killed at its timeout, after " + timeout.toMillis() / 1000.0 + " s");
      case PLANNED -> invocation.skip("dry run: would run " + command.display());
      case NOT_SIMULATED ->
          invocation.skip("executable hooks act on the real host; not run on a simulated one");
    }
  }
}
