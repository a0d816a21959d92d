/**
 * The shared JSON mapper (Jackson's defaults), used by every package that reads or writes JSON.
 * Ground: uses nothing of the project.
 */
@MayUse({})
package dev.guesthook.json;

import dev.guesthook.MayUse;
