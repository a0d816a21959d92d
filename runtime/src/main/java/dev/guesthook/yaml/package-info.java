/**
 * SafeYaml, YamlNode, Mark, Suggestions: YAML read on the parser's events, bounded, no aliases or
 * tags; values keep file, line and column. Ground: below both the runtime's configuration and the
 * core's hook settings, which fail with its ConfigException.
 */
@MayUse({})
package dev.guesthook.yaml;

import dev.guesthook.MayUse;
