package dev.guesthook.core.dispatch;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes objects by reference on the local event bus. Events carry live ports and callbacks, which
 * must never be serialised; a clustered bus is not a use case.
 */
final class LocalCodec<T> implements MessageCodec<T, T> {
  private final String name;

  private LocalCodec(String name) {
    this.name = name;
  }

  static synchronized <T> void register(Vertx vertx, Class<T> type) {
    try {
      vertx
          .eventBus()
          .registerDefaultCodec(type, new LocalCodec<>("guesthook-local-" + type.getName()));
    } catch (IllegalStateException alreadyRegistered) {
      // A second dispatcher on the same Vert.x instance: the codec is already there.
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    throw new UnsupportedOperationException("guesthook messages stay in the local process");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("guesthook messages stay in the local process");
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
