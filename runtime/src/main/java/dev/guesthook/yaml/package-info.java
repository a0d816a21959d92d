/**
 * SafeYaml, YamlNode, Mark, Suggestions: YAML read on the parser's events, bounded, no aliases or
 * tags; values keep file, line and column. Ground: below config, which turns its YamlException
 * into a ConfigException.
 */
@MayUse({})
package dev.guesthook.yaml;

import dev.guesthook.MayUse;
