package dev.guesthook.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** What a test's client reads from the runtime. */
public final class ClientReads {
  private ClientReads() {}

  /** Everything the runtime sent on this connection, up to its close. */
  public static String toTheEnd(SocketChannel client) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    ByteBuffer some = ByteBuffer.allocate(65536);
    while (client.read(some) >= 0) {
      all.write(some.array(), 0, some.position());
      some.clear();
    }
    return all.toString(StandardCharsets.UTF_8);
  }
}
