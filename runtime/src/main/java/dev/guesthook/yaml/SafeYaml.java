package dev.guesthook.yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * The one YAML reader for every file guesthook reads. It works on the parser's events, so nothing
 * is ever expanded: anchors and aliases are refused (an alias bomb of a few kilobytes would
 * otherwise expand to gigabytes), and size, nesting depth and node count are bounded. Every refusal
 * is a {@link ConfigException} naming the file and line, within milliseconds and a few megabytes.
 */
public final class SafeYaml {
  /** The cluster file system holds files of at most 1 MiB; no settings file needs more. */
  public static final int MAX_BYTES = 1024 * 1024;

  static final int MAX_DEPTH = 32;
  static final int MAX_NODES = 100_000;

  private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
  private static final Pattern TRUE = Pattern.compile("true|True|TRUE");
  private static final Pattern FALSE = Pattern.compile("false|False|FALSE");
  private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");

  /**
   * NEL and the Unicode line and paragraph separators: YAML counts them as line breaks, editors do
   * not.
   */
  private static final Pattern ODD_LINE_BREAK = Pattern.compile("[\\x{85}\\x{2028}\\x{2029}]");

  /**
   * What a key may not hold: it is printed in one-line messages and must not forge or reorder them.
   */
  private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]");

  private static final Pattern FLOAT =
      Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");

  private final String origin;
  private final Iterator<Event> events;
  private int nodes;
  private int depth;

  private SafeYaml(String origin, String text) {
    this.origin = origin;
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_BYTES);
    options.setNestingDepthLimit(MAX_DEPTH + 1);
    options.setMaxAliasesForCollections(0);
    ParserImpl parser = new ParserImpl(new StreamReader(new StringReader(text)), options);
    this.events =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return parser.peekEvent() != null;
          }

          @Override
          public Event next() {
            return parser.getEvent();
          }
        };
  }

  /**
   * Reads a file, not following a link at its last component; an absent file is an empty mapping.
   */
  public static YamlNode.Mapping readFile(Path file, String shownAs) throws ConfigException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return YamlNode.Mapping.empty(Mark.of(shownAs));
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new ConfigException(shownAs + ": not a regular file; fix: make it a plain YAML file");
    }
    byte[] bytes;
    try (InputStream in =
        Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new ConfigException(shownAs + ": cannot read it: " + e.getMessage());
    }
    if (bytes.length > MAX_BYTES) {
      throw tooLarge(shownAs);
    }
    return parseMapping(shownAs, utf8(shownAs, bytes));
  }

  public static ConfigException tooLarge(String shownAs) {
    return new ConfigException(
        shownAs
            + ": larger than "
            + MAX_BYTES / 1024
            + " KiB; a settings file needs a few"
            + " lines per hook");
  }

  static String utf8(String shownAs, byte[] bytes) throws ConfigException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(shownAs + ": not UTF-8 text");
    }
  }

  /**
   * Parses a document whose top level must be a mapping (every guesthook file is one); an empty
   * document or one of comments only is an empty mapping.
   */
  public static YamlNode.Mapping parseMapping(String origin, String text) throws ConfigException {
    if (text.length() > MAX_BYTES) {
      throw tooLarge(origin);
    }
    if (ODD_LINE_BREAK.matcher(text).find()) {
      throw new ConfigException(
          origin
              + ": holds a Unicode line separator (U+0085, U+2028 or U+2029), which YAML"
              + " counts as a line break and editors do not; fix: use plain newlines");
    }
    YamlNode document = new SafeYaml(origin, text).document();
    if (document == null
        || document instanceof YamlNode.Scalar scalar
            && scalar.value() == null
            && !scalar.quoted()) {
      return YamlNode.Mapping.empty(Mark.of(origin));
    }
    if (document instanceof YamlNode.Mapping mapping) {
      return mapping;
    }
    throw new ConfigException(
        document.mark()
            + ": expected a mapping of keys to values at the top, found "
            + document.describe());
  }

  private YamlNode document() throws ConfigException {
    try {
      YamlNode root = null;
      int documents = 0;
      while (events.hasNext()) {
        Event event = events.next();
        if (event.is(Event.ID.DocumentStart) && ++documents > 1) {
          throw new ConfigException(
              mark(event) + ": a second YAML document ('---'); one document per file");
        }
        if (isNode(event)) {
          root = node(event);
        }
      }
      return root;
    } catch (MarkedYAMLException e) {
      throw new ConfigException(
          origin
              + ":"
              + (e.getProblemMark().getLine() + 1)
              + ":"
              + (e.getProblemMark().getColumn() + 1)
              + ": not valid YAML: "
              + describe(e));
    } catch (YAMLException e) {
      throw new ConfigException(origin + ": not valid YAML: " + oneLine(e.getMessage()));
    }
  }

  private static boolean isNode(Event event) {
    return event.is(Event.ID.Scalar)
        || event.is(Event.ID.MappingStart)
        || event.is(Event.ID.SequenceStart)
        || event.is(Event.ID.Alias);
  }

  private YamlNode node(Event event) throws ConfigException {
    if (++nodes > MAX_NODES) {
      throw new ConfigException(
          mark(event) + ": more than " + MAX_NODES + " values; a settings file needs far fewer");
    }
    if (event instanceof AliasEvent
        || (event instanceof NodeEvent node && node.getAnchor() != null)) {
      throw new ConfigException(
          mark(event)
              + ": anchors and aliases (&name, *name) are not supported; write the"
              + " values out");
    }
    if (event instanceof CollectionStartEvent collection && collection.getTag() != null
        || event instanceof ScalarEvent scalar && scalar.getTag() != null) {
      throw new ConfigException(
          mark(event) + ": YAML tags (!!type) are not supported; write plain values");
    }
    if (event instanceof ScalarEvent scalar) {
      return scalar(scalar);
    }
    if (++depth > MAX_DEPTH) {
      throw new ConfigException(mark(event) + ": nested deeper than " + MAX_DEPTH + " levels");
    }
    try {
      return event.is(Event.ID.MappingStart) ? mapping(event) : sequence(event);
    } finally {
      depth--;
    }
  }

  private YamlNode.Mapping mapping(Event start) throws ConfigException {
    Map<String, YamlNode.Mapping.Entry> entries = new LinkedHashMap<>();
    Event event;
    while (!(event = events.next()).is(Event.ID.MappingEnd)) {
      YamlNode key = node(event);
      if (!(key instanceof YamlNode.Scalar scalar) || scalar.value() == null) {
        throw new ConfigException(
            key.mark() + ": a key must be a plain name, found " + key.describe());
      }
      String name = String.valueOf(scalar.value());
      if (UNPRINTABLE.matcher(name).find()) {
        throw new ConfigException(
            key.mark() + ": a key holds a control or format character; keys are plain names");
      }
      YamlNode value = node(events.next());
      if (entries.putIfAbsent(name, new YamlNode.Mapping.Entry(key.mark(), value)) != null) {
        throw new ConfigException(
            key.mark()
                + ": key '"
                + name
                + "' is given twice (first at "
                + entries.get(name).keyMark()
                + ")");
      }
    }
    return new YamlNode.Mapping(entries, mark(start));
  }

  private YamlNode.Sequence sequence(Event start) throws ConfigException {
    List<YamlNode> items = new ArrayList<>();
    Event event;
    while (!(event = events.next()).is(Event.ID.SequenceEnd)) {
      items.add(node(event));
    }
    return new YamlNode.Sequence(items, mark(start));
  }

  private YamlNode.Scalar scalar(ScalarEvent event) {
    String text = event.getValue();
    boolean plain = event.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN;
    return new YamlNode.Scalar(plain ? resolve(text) : text, !plain, mark(event));
  }

  /** YAML 1.2 core schema, decimal only: what is not null, a boolean or a number is a string. */
  static Object resolve(String text) {
    if (NULL.matcher(text).matches()) {
      return null;
    }
    if (TRUE.matcher(text).matches()) {
      return Boolean.TRUE;
    }
    if (FALSE.matcher(text).matches()) {
      return Boolean.FALSE;
    }
    if (INTEGER.matcher(text).matches()) {
      BigInteger number = new BigInteger(text);
      return number.bitLength() < 64
          ? (Object) number.longValue()
          : number; // too large for any setting
    }
    if (FLOAT.matcher(text).matches() && !text.equals(".")) {
      return Double.parseDouble(text);
    }
    return text;
  }

  private Mark mark(Event event) {
    org.yaml.snakeyaml.error.Mark start = event.getStartMark();
    return start == null
        ? Mark.of(origin)
        : new Mark(origin, start.getLine() + 1, start.getColumn() + 1);
  }

  private static String describe(MarkedYAMLException e) {
    String problem = e.getProblem() == null ? "" : e.getProblem();
    String context = e.getContext() == null ? "" : e.getContext() + ": ";
    return oneLine(context + problem);
  }

  private static String oneLine(String text) {
    return text == null ? "unreadable" : text.strip().replaceAll("\\s+", " ");
  }
}
