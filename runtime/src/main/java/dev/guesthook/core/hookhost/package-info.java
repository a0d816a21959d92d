/**
 * The hook host: Groovy DSL hooks (compiled once, cached), existing executable hookscripts, refused
 * ones; the context and state a hook gets.
 */
@MayUse({"core.dispatch", "core.event", "core.settings", "files", "host", "id", "json", "yaml"})
package dev.guesthook.core.hookhost;

import dev.guesthook.MayUse;
