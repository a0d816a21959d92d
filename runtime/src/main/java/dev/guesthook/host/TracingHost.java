package dev.guesthook.host;

import dev.guesthook.host.HostInteraction.Kind;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/** Wraps a port and reports every call, in order, with its result or errno. */
public final class TracingHost implements HostPort {
  private final HostPort delegate;
  private final Consumer<HostInteraction> listener;

  public TracingHost(HostPort delegate, Consumer<HostInteraction> listener) {
    this.delegate = delegate;
    this.listener = listener;
  }

  @Override
  public String read(HostPath path) {
    return traced(Kind.READ, path.toString(), null, () -> delegate.read(path), value -> value);
  }

  /** Traced as the read it is: a replay answers it like any other. */
  @Override
  public String readLocked(HostPath path, HostPath lock) {
    return traced(Kind.READ, path.toString(), null, () -> delegate.readLocked(path, lock), value -> value);
  }

  @Override
  public void write(HostPath path, String value) {
    traced(
        Kind.WRITE,
        path.toString(),
        value,
        () -> {
          delegate.write(path, value);
          return "ok";
        },
        result -> result);
  }

  @Override
  public boolean exists(HostPath path) {
    return traced(Kind.EXISTS, path.toString(), null, () -> delegate.exists(path), String::valueOf);
  }

  @Override
  public List<String> list(HostPath directory) {
    return traced(
        Kind.LIST, directory.toString(), null, () -> delegate.list(directory), HostInteraction::joined);
  }

  @Override
  public void createDirectories(HostPath directory) {
    traced(Kind.MKDIR, directory.toString(), null, () -> {
      delegate.createDirectories(directory);
      return "ok";
    }, result -> result);
  }

  @Override
  public void delete(HostPath path) {
    traced(Kind.DELETE, path.toString(), null, () -> {
      delegate.delete(path);
      return "ok";
    }, result -> result);
  }

  @Override
  public long usableBytes(HostPath path) {
    return traced(Kind.READ, "statvfs " + path, null, () -> delegate.usableBytes(path), String::valueOf);
  }

  @Override
  public Optional<HostPath> readLink(HostPath path) {
    return traced(
        Kind.READLINK,
        path.toString(),
        null,
        () -> delegate.readLink(path),
        link -> link.map(HostPath::toString).orElse("(not a link)"));
  }

  @Override
  public CommandResult run(HostCommand command) {
    Kind kind = command.readOnly() ? Kind.QUERY : Kind.RUN;
    CommandResult result;
    try {
      result = delegate.run(command);
    } catch (HostException e) {
      listener.accept(HostInteraction.failure(kind, command.display(), null, e));
      throw e;
    }
    // The output rides in the value, so a replay can answer the same command with the same text.
    listener.accept(HostInteraction.of(kind, command.display(), result.output(), result.status() + " exit=" + result.exitCode()));
    return result;
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  private <T> T traced(
      Kind kind, String target, String value, Supplier<T> call, Function<T, String> show) {
    T result;
    try {
      result = call.get();
    } catch (HostException e) {
      listener.accept(HostInteraction.failure(kind, target, value, e));
      throw e;
    }
    listener.accept(HostInteraction.of(kind, target, value, show.apply(result)));
    return result;
  }
}
