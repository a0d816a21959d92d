package dev.guesthook.pve.schema;

import dev.guesthook.pve.schema.PropertyFormat.NamedFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How pve-storage checks where a storage's server is: {@code pve-storage-server}
 * (Plugin::verify_server: an IP address or a DNS name) and {@code pve-storage-portal-dns}
 * (Plugin::verify_portal_dns through PVE::Tools::parse_host_and_port: an address or host name with
 * an optional port). The address regexes are pve-common's PVE::ParseUtils {@code $IPV4RE} and
 * {@code $IPV6RE}, piece by piece.
 */
final class ServerAddress {
  private static final String OCTET = "(?:25[0-5]|(?:2[0-4]|1[0-9]|[1-9])?[0-9])";
  private static final String IPV4 = "(?:(?:" + OCTET + "\\.){3}" + OCTET + ")";
  private static final String H16 = "(?:[0-9a-fA-F]{1,4})";
  private static final String LS32 = "(?:(?:" + IPV4 + "|" + H16 + ":" + H16 + "))";
  private static final String IPV6 =
      "(?:"
          + "(?:(?:(?:"
          + H16
          + ":){6})"
          + LS32
          + ")|"
          + "(?:(?:::(?:"
          + H16
          + ":){5})"
          + LS32
          + ")|"
          + "(?:(?:(?:"
          + H16
          + ")?::(?:"
          + H16
          + ":){4})"
          + LS32
          + ")|"
          + "(?:(?:(?:(?:"
          + H16
          + ":){0,1}"
          + H16
          + ")?::(?:"
          + H16
          + ":){3})"
          + LS32
          + ")|"
          + "(?:(?:(?:(?:"
          + H16
          + ":){0,2}"
          + H16
          + ")?::(?:"
          + H16
          + ":){2})"
          + LS32
          + ")|"
          + "(?:(?:(?:(?:"
          + H16
          + ":){0,3}"
          + H16
          + ")?::(?:"
          + H16
          + ":){1})"
          + LS32
          + ")|"
          + "(?:(?:(?:(?:"
          + H16
          + ":){0,4}"
          + H16
          + ")?::)"
          + LS32
          + ")|"
          + "(?:(?:(?:(?:"
          + H16
          + ":){0,5}"
          + H16
          + ")?::)"
          + H16
          + ")|"
          + "(?:(?:(?:(?:"
          + H16
          + ":){0,6}"
          + H16
          + ")?::)))";

  /** pve-common's pve_verify_dns_name. */
  private static final String LABEL = "([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)";

  private static final Pattern IP_OR_DNS_NAME =
      Pattern.compile(IPV4 + "|" + IPV6 + "|(?:" + LABEL + "\\.)*+" + LABEL);

  /**
   * parse_host_and_port's three shapes; {@code [[:alnum:]]} is ASCII on the bytes pve-storage
   * reads.
   */
  private static final Pattern HOST_AND_PORT =
      Pattern.compile(
          "("
              + IPV4
              + "|[A-Za-z0-9.-]+)(?::\\d+)?"
              + "|\\[("
              + IPV6
              + "|"
              + IPV4
              + "|[A-Za-z0-9.-]+)\\](?::\\d+)?"
              + "|("
              + IPV6
              + ")(?:\\.\\d+)?");

  /** Plugin::verify_server. */
  static final NamedFormat SERVER =
      value ->
          IP_OR_DNS_NAME.matcher(value).matches()
              ? Optional.empty()
              : Optional.of("value does not look like a valid server name or IP address");

  /** Plugin::verify_portal_dns. */
  static final NamedFormat PORTAL =
      value ->
          HOST_AND_PORT.matcher(value).matches()
              ? Optional.empty()
              : Optional.of("value does not look like a valid portal address");

  private ServerAddress() {}
}
