/**
 * The runtime's settings: guesthook.yaml, GUESTHOOK_* variables and flags merged in layers; a VM's
 * own settings file.
 */
@MayUse({"core.dispatch", "core.hookhost", "core.settings", "files", "host", "id", "yaml"})
package dev.guesthook.config;

import dev.guesthook.MayUse;
