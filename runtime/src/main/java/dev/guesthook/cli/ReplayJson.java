package dev.guesthook.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code replay --json}: one JSON document, written as the replay goes. Each result is written once
 * it is compared, in the files' order, and the totals after them, so a replay's memory does not
 * grow with its files (the results were kept until the end, about 0.5 KB an event). A replay that
 * stops on an error still ends a valid document: the results so far and the error.
 */
final class ReplayJson {
  private static final ObjectWriter JSON = Json.MAPPER.writer(SerializationFeature.INDENT_OUTPUT);

  private final PrintStream stream;
  private final JsonGenerator out;

  ReplayJson(PrintStream stream) {
    this.stream = stream;
    try {
      out = JSON.createGenerator(stream).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      out.writeStartObject();
      out.writeArrayFieldStart("results");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One result, written (and flushed) at once. */
  void result(Map<String, Object> item) {
    try {
      JSON.writeValue(out, item);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The totals after the results: the document's end. */
  void finish(Map<String, Object> totals) {
    end(totals);
  }

  /** The error that stopped the replay, after the results so far: the document's end. */
  void failed(String error) {
    end(Map.of("error", error));
  }

  private void end(Map<String, Object> fields) {
    try {
      out.writeEndArray();
      for (Map.Entry<String, Object> field : fields.entrySet()) {
        out.writeFieldName(field.getKey());
        JSON.writeValue(out, field.getValue());
      }
      out.writeEndObject();
      out.flush();
      stream.println();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
