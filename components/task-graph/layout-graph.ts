import dagre from '@dagrejs/dagre';
import { Position, type NodeHandle } from '@xyflow/react';

export const STEP_NODE_WIDTH = 188;
export const STEP_NODE_HEIGHT = 76;
const HANDLE_SIZE = 6;

/**
 * Every step node's size and handles, as app/globals.css draws them (.step-node is 188×76; its 6 px
 * handles sit centred on its left and right edges). Given up front, they let React Flow draw the nodes
 * and edges and fit the view in its first render, instead of measuring every node first and drawing
 * everything a second time. React Flow still watches the nodes, and would re-measure one that differs.
 */
/** The shape of a graph without statuses: what the layout depends on, and nothing else. */
export type GraphStructure = { nodeIds: string[]; edges: { source: string; target: string }[] };

export type Positions = Record<string, { x: number; y: number }>;

export const STEP_NODE_BOX: { width: number; height: number; measured: { width: number; height: number }; handles: NodeHandle[] } = {
  width: STEP_NODE_WIDTH,
  height: STEP_NODE_HEIGHT,
  measured: { width: STEP_NODE_WIDTH, height: STEP_NODE_HEIGHT },
  handles: [
    {
      id: null,
      type: 'target',
      position: Position.Left,
      x: -HANDLE_SIZE / 2,
      y: (STEP_NODE_HEIGHT - HANDLE_SIZE) / 2,
      width: HANDLE_SIZE,
      height: HANDLE_SIZE,
    },
    {
      id: null,
      type: 'source',
      position: Position.Right,
      x: STEP_NODE_WIDTH - HANDLE_SIZE / 2,
      y: (STEP_NODE_HEIGHT - HANDLE_SIZE) / 2,
      width: HANDLE_SIZE,
      height: HANDLE_SIZE,
    },
  ],
};

/**
 * Network simplex ranks a graph with the shortest edges, but its cost grows fast: a few ms for a
 * registration, a quarter of a second or more for 200 steps on a slow laptop. Past this size the
 * tight-tree ranker (longest path, then tightened) does it in a fraction of that; on every template
 * shipped here both give the same columns.
 */
const NETWORK_SIMPLEX_MAX_STEPS = 60;

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
  graph.setGraph({
    rankdir: 'LR',
    ranksep: rankSeparation,
    nodesep: nodeSeparation,
    marginx: 8,
    marginy: 8,
    ranker: structure.nodeIds.length <= NETWORK_SIMPLEX_MAX_STEPS ? 'network-simplex' : 'tight-tree',
  });
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
    const node = graph.node(id) as { x: number; y: number };
    positions[id] = { x: Math.round(node.x - nodeWidth / 2), y: Math.round(node.y - nodeHeight / 2) };
  }
  return positions;
}

/** Layouts of the shapes drawn lately: every task of a template version has the same shape. */
const recentLayouts = new Map<string, Positions>();
const RECENT_LAYOUTS_KEPT = 24;
const LAYOUT_MEASURE_NAME = 'task-graph layout';

/**
 * `layoutGraph` at default sizes, computed once per shape (`key`: its structureKey) and kept for the next graph of that shape
 * (another task of the template, the template's page). Each computation is recorded as a User Timing
 * measure named LAYOUT_MEASURE_NAME, so a performance profile or a browser test can tell layout from
 * rendering.
 */
export function layoutGraphOnce(structure: GraphStructure, key: string): Positions {
  const known = recentLayouts.get(key);
  if (known) {
    // Map order is insertion order: re-inserting makes this the most recently used shape.
    recentLayouts.delete(key);
    recentLayouts.set(key, known);
    return known;
  }
  const started = performance.now();
  const positions = layoutGraph(structure);
  performance.measure(LAYOUT_MEASURE_NAME, { start: started, detail: { steps: structure.nodeIds.length } });
  recentLayouts.set(key, positions);
  for (const oldest of recentLayouts.keys()) {
    if (recentLayouts.size <= RECENT_LAYOUTS_KEPT) {
      break;
    }
    recentLayouts.delete(oldest);
  }
  return positions;
}
