/**
 * SafeFiles: the one rule for files the runtime writes outside the port (walked from /, no links,
 * owned by root, not writable by others); WholeFile: a file replaced whole by a rename; FolderTree:
 * a folder removed deepest first, links inside removed, never followed. Ground.
 */
@MayUse({})
package dev.guesthook.files;

import dev.guesthook.MayUse;
