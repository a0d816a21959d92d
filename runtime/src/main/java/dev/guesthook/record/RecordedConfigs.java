package dev.guesthook.record;

import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import dev.guesthook.pve.VmConfigParser;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The guest configs of a replay, parsed once per text: a VM's config rarely changes between its
 * recorded phases, and parsing it again for every event took 7% of a replay's samples (measured on
 * runtime/bench/replay.sh). A {@link VmConfig} is read-only, so events may share one. Bounded: the
 * configs least recently used are dropped past {@link #KEPT}.
 */
final class RecordedConfigs {
  static final int KEPT = 64;

  private record Text(String origin, String text) {}

  private final Map<Text, VmConfig> parsed =
      new LinkedHashMap<>(KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Text, VmConfig> eldest) {
          return size() > KEPT;
        }
      };

  /** The config of this text, as {@link VmConfigParser#parse} gives it. */
  VmConfig parse(String origin, String text) throws PveFileException {
    Text key = new Text(origin, text);
    VmConfig config = parsed.get(key);
    if (config == null) {
      config = VmConfigParser.parse(origin, text);
      parsed.put(key, config);
    }
    return config;
  }
}
