import dagre from '@dagrejs/dagre';
import type { GraphStructure, Positions } from './to-graph';

export const STEP_NODE_WIDTH = 188;
export const STEP_NODE_HEIGHT = 76;

/**
 * Left-to-right positions (top-left corners, as React Flow wants them) for a graph's nodes. Pure and
 * deterministic: the same structure always gives the same positions, so a status change, which
 * does not change the structure, never moves a node.
 */
export function layoutGraph(
  structure: GraphStructure,
  { nodeWidth = STEP_NODE_WIDTH, nodeHeight = STEP_NODE_HEIGHT, rankSeparation = 44, nodeSeparation = 16 } = {},
): Positions {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', ranksep: rankSeparation, nodesep: nodeSeparation, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const id of structure.nodeIds) {
    graph.setNode(id, { width: nodeWidth, height: nodeHeight });
  }
  for (const edge of structure.edges) {
    graph.setEdge(edge.source, edge.target);
  }
  dagre.layout(graph);
  const positions: Positions = {};
  for (const id of structure.nodeIds) {
    const node = graph.node(id);
    positions[id] = { x: Math.round(node.x - nodeWidth / 2), y: Math.round(node.y - nodeHeight / 2) };
  }
  return positions;
}
