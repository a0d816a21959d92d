package dev.guesthook.host;

import dev.guesthook.host.HostInteraction.Bytes;
import dev.guesthook.host.HostInteraction.Done;
import dev.guesthook.host.HostInteraction.Errno;
import dev.guesthook.host.HostInteraction.Flag;
import dev.guesthook.host.HostInteraction.Kind;
import dev.guesthook.host.HostInteraction.Link;
import dev.guesthook.host.HostInteraction.Names;
import dev.guesthook.host.HostInteraction.Ran;
import dev.guesthook.host.HostInteraction.Result;
import dev.guesthook.host.HostInteraction.Text;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Wraps a port and reports every call, in order, with the value it returned or the errno it threw.
 */
public final class TracingHost implements HostPort {
  private final HostPort delegate;
  private final Consumer<HostInteraction> listener;

  public TracingHost(HostPort delegate, Consumer<HostInteraction> listener) {
    this.delegate = delegate;
    this.listener = listener;
  }

  @Override
  public String read(HostPath path) {
    return traced(Kind.READ, path.toString(), null, () -> delegate.read(path), Text::new);
  }

  /** Traced with the bytes in hex, so a timeline and a recording show them as they are. */
  @Override
  public byte[] readBytes(HostPath path, int max) {
    return traced(
        Kind.READ_BYTES,
        path.toString(),
        null,
        () -> delegate.readBytes(path, max),
        bytes -> new Text(HexFormat.of().formatHex(bytes)));
  }

  /** Traced as the read it is: a replay answers it like any other. */
  @Override
  public String readLocked(HostPath path, HostPath lock) {
    return traced(
        Kind.READ, path.toString(), null, () -> delegate.readLocked(path, lock), Text::new);
  }

  @Override
  public void write(HostPath path, String value) {
    traced(
        Kind.WRITE,
        path.toString(),
        value,
        () -> {
          delegate.write(path, value);
          return null;
        },
        done -> new Done());
  }

  @Override
  public boolean exists(HostPath path) {
    return traced(Kind.EXISTS, path.toString(), null, () -> delegate.exists(path), Flag::new);
  }

  @Override
  public List<String> list(HostPath directory) {
    return traced(
        Kind.LIST, directory.toString(), null, () -> delegate.list(directory), Names::new);
  }

  @Override
  public void createDirectories(HostPath directory) {
    traced(
        Kind.MKDIR,
        directory.toString(),
        null,
        () -> {
          delegate.createDirectories(directory);
          return null;
        },
        done -> new Done());
  }

  @Override
  public void delete(HostPath path) {
    traced(
        Kind.DELETE,
        path.toString(),
        null,
        () -> {
          delegate.delete(path);
          return null;
        },
        done -> new Done());
  }

  @Override
  public long usableBytes(HostPath path) {
    return traced(
        Kind.STATVFS, path.toString(), null, () -> delegate.usableBytes(path), Bytes::new);
  }

  @Override
  public Optional<HostPath> readLink(HostPath path) {
    return traced(Kind.READLINK, path.toString(), null, () -> delegate.readLink(path), Link::new);
  }

  @Override
  public CommandResult run(HostCommand command) {
    Kind kind = command.readOnly() ? Kind.QUERY : Kind.RUN;
    CommandResult result;
    try {
      result = delegate.run(command);
    } catch (HostException e) {
      listener.accept(new HostInteraction(kind, command.display(), null, Errno.of(e)));
      throw e;
    }
    // The output rides in the value too, as the timeline and --json have always shown it.
    listener.accept(new HostInteraction(kind, command.display(), result.output(), new Ran(result)));
    return result;
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  private <T> T traced(
      Kind kind, String target, String value, Supplier<T> call, Function<T, Result> typed) {
    T result;
    try {
      result = call.get();
    } catch (HostException e) {
      listener.accept(new HostInteraction(kind, target, value, Errno.of(e)));
      throw e;
    }
    listener.accept(new HostInteraction(kind, target, value, typed.apply(result)));
    return result;
  }
}
