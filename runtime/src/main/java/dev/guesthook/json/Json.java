package dev.guesthook.json;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one JSON mapper: journals, recordings, reports, the simulator's state and hooks' JSON files
 * are all read and written by it, so they agree on what JSON is. Jackson's defaults, never
 * reconfigured: a use that needs other settings takes a writer or reader with them ({@code
 * Json.MAPPER.writer(SerializationFeature.INDENT_OUTPUT)}). Thread-safe as configured.
 */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
