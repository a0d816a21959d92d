/**
 * Hook settings as a contract: what a hook declares and the check of every layer against it before
 * any hook runs.
 */
@MayUse({"id", "yaml"})
package dev.guesthook.core.settings;

import dev.guesthook.MayUse;
