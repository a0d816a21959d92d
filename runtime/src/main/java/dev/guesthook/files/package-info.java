/**
 * SafeFiles: the one rule for files the runtime writes outside the port (walked from /, no links,
 * owned by root, not writable by others). Ground.
 */
@MayUse({})
package dev.guesthook.files;

import dev.guesthook.MayUse;
