/**
 * The events page: one self-contained HTML document (inline CSS and SVG, no resource from
 * elsewhere) with a timeline per guest and a capacity view per node. The model ({@link EventsPage})
 * is made of plain values any source can give: this node's recordings, or every node's published
 * events with their migrations told as stories ({@link ClusterSource}); {@link HtmlPage} draws it,
 * every text escaped.
 */
@MayUse({"cluster", "core.event", "guest", "host", "id", "record"})
package dev.guesthook.page;

import dev.guesthook.MayUse;
