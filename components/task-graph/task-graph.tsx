'use client';

import '@xyflow/react/dist/style.css';
import { ReactFlow, type Edge, type NodeMouseHandler } from '@xyflow/react';
import { useCallback, useMemo, useRef, type KeyboardEvent } from 'react';
import type { TaskDetail } from '../../lib/api/types';
import { layoutGraphOnce, STEP_NODE_HEIGHT, type GraphStructure } from './layout-graph';
import { FlowBackdrop, READ_ONLY_FLOW_PROPS } from './read-only-flow';
import { StepNode } from './step-node';
import { structureKey, structureOfTask, toGraph, type StepNode as StepNodeType } from './to-graph';

const nodeTypes = { step: StepNode };
// The whole graph fits on open, so a failing step (red) stands out even among 200; zoom in with the controls.
const fitViewOptions = { padding: 0.12, maxZoom: 1.1 };
// The server renders the graph without knowing the canvas's width: it fits the graph to this one (about the
// canvas on a laptop's screen), and the browser fits it again to the real width once it has measured it.
const SERVER_RENDER_WIDTH = 1100;
// Edges take no clicks: no invisible wide path per edge for the pointer (360 fewer elements at 200 steps).
const defaultEdgeOptions = { interactionWidth: 0 };

/**
 * Positions computed once per structure: the key is the structure's string form, so a new TaskDetail
 * with the same steps and edges keeps the same positions object and nothing moves.
 */
function useStableLayout(structure: GraphStructure) {
  const key = structureKey(structure);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- memoised on the structure's key on purpose
  return useMemo(() => layoutGraphOnce(structure, key), [key]);
}

function isSameNode(a: StepNodeType, b: StepNodeType): boolean {
  if (a.position !== b.position || a.selected !== b.selected) {
    return false;
  }
  const keys = Object.keys(a.data) as (keyof StepNodeType['data'])[];
  return keys.every((key) => a.data[key] === b.data[key]);
}

function isSameEdge(a: Edge, b: Edge): boolean {
  return a.source === b.source && a.target === b.target && a.animated === b.animated && a.className === b.className;
}

/**
 * The graph with the previous render's node and edge objects wherever nothing about them changed. A
 * live update then re-renders only the steps that moved: React Flow skips a node whose object it has
 * seen, and so does the memo'd StepNode; a 200-step task does not redraw 200 nodes per update.
 */
function useReusedElements(graph: { nodes: StepNodeType[]; edges: Edge[] }) {
  const previous = useRef<{ nodes: Map<string, StepNodeType>; edges: Map<string, Edge> }>({ nodes: new Map(), edges: new Map() });
  return useMemo(() => {
    const reuse = <T extends { id: string }>(items: T[], before: Map<string, T>, isSame: (a: T, b: T) => boolean) =>
      items.map((item) => {
        const old = before.get(item.id);
        return old && isSame(old, item) ? old : item;
      });
    const nodes = reuse(graph.nodes, previous.current.nodes, isSameNode);
    const edges = reuse(graph.edges, previous.current.edges, isSameEdge);
    previous.current = { nodes: new Map(nodes.map((node) => [node.id, node])), edges: new Map(edges.map((edge) => [edge.id, edge])) };
    return { nodes, edges };
  }, [graph]);
}

/** `height: 'auto'` fits the layout's height, between a floor and a ceiling (a tall graph zooms out). */
type GraphProps = { selectedStep: string | null; onSelectStep?: (step: string) => void; height?: number | 'auto' };

function autoHeight(nodes: StepNodeType[]): number {
  const bottom = nodes.reduce((max, node) => Math.max(max, node.position.y + STEP_NODE_HEIGHT), 0);
  return Math.min(Math.max(bottom + 110, 240), 640);
}

/** The live DAG of a task. Gets the TaskDetail as a prop and never fetches. */
export function TaskGraph({ task, ...props }: GraphProps & { task: TaskDetail }) {
  const positions = useStableLayout(structureOfTask(task));
  const graph = useReusedElements(useMemo(() => toGraph(task, positions, props.selectedStep), [task, positions, props.selectedStep]));
  return <GraphCanvas {...graph} {...props} label={`Steps of task ${task.id}`} />;
}

function GraphCanvas({ nodes, edges, onSelectStep, height = 'auto', label }: GraphProps & { nodes: StepNodeType[]; edges: Edge[]; label: string }) {
  const canvasHeight = height === 'auto' ? autoHeight(nodes) : height;
  const onNodeClick: NodeMouseHandler<StepNodeType> = useCallback((_event, node) => onSelectStep?.(node.id), [onSelectStep]);
  // React Flow makes nodes focusable; Enter or Space on a focused node opens it, like a click.
  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      if (event.key !== 'Enter' && event.key !== ' ') {
        return;
      }
      const target = event.target as HTMLElement;
      const id = target.closest('.react-flow__node')?.getAttribute('data-id');
      if (id) {
        event.preventDefault();
        onSelectStep?.(id);
      }
    },
    [onSelectStep],
  );
  return (
    <div className="graph-canvas" style={{ height: canvasHeight }} onKeyDown={onKeyDown} role="group" aria-label={label} data-testid="task-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodeClick={onNodeClick}
        {...READ_ONLY_FLOW_PROPS}
        defaultEdgeOptions={defaultEdgeOptions}
        elementsSelectable
        fitViewOptions={fitViewOptions}
        width={SERVER_RENDER_WIDTH}
        height={canvasHeight}
      >
        <FlowBackdrop />
      </ReactFlow>
    </div>
  );
}
