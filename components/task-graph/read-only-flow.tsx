'use client';

import { Background, Controls } from '@xyflow/react';

/**
 * What every step graph of the dashboard shares: a read-only canvas (nothing dragged, connected or
 * focused), fitted on open, zoomable far out for 200 steps, without the attribution badge.
 */
export const READ_ONLY_FLOW_PROPS = {
  nodesDraggable: false,
  nodesConnectable: false,
  edgesFocusable: false,
  fitView: true,
  minZoom: 0.05,
  maxZoom: 2,
  proOptions: { hideAttribution: true },
} as const;

/** The dotted background and the zoom buttons of a step graph. */
export function FlowBackdrop() {
  return (
    <>
      <Background gap={16} size={1} color="var(--graph-dots)" />
      <Controls showInteractive={false} orientation="horizontal" />
    </>
  );
}
