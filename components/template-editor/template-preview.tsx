'use client';

import '@xyflow/react/dist/style.css';
import { BaseEdge, MarkerType, ReactFlow, type Edge, type EdgeProps } from '@xyflow/react';
import { useMemo } from 'react';
import type { Dag } from '../../lib/api/types';
import { layoutGraphOnce, STEP_NODE_HEIGHT } from '../task-graph/layout-graph';
import { FlowBackdrop, READ_ONLY_FLOW_PROPS } from '../task-graph/read-only-flow';
import { StepNode } from '../task-graph/step-node';
import { dagToGraph, structureKey, structureOfDag } from '../task-graph/to-graph';

type LoopBackEdgeType = Edge<{ below: number }, 'loopBack'>;

/**
 * A dependency that points back against the left-to-right layout (only a cycle has one): drawn out of
 * the source, down under every step, and back into the target, so it is not hidden behind the steps.
 */
function LoopBackEdge({ id, sourceX, sourceY, targetX, targetY, markerEnd, style, data }: EdgeProps<LoopBackEdgeType>) {
  const below = data?.below ?? Math.max(sourceY, targetY) + 60;
  const out = sourceX + 24;
  const into = targetX - 24;
  const path = `M ${sourceX} ${sourceY} L ${out} ${sourceY} L ${out} ${below} L ${into} ${below} L ${into} ${targetY} L ${targetX} ${targetY}`;
  return <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} />;
}

const nodeTypes = { step: StepNode };
const edgeTypes = { loopBack: LoopBackEdge };
const fitViewOptions = { padding: 0.14, maxZoom: 1 };
// A dependency back along a cycle curves outside the nodes' box: leave room to see it.
const cycleFitViewOptions = { padding: 0.4, maxZoom: 1 };

/**
 * The DAG of the text being edited, drawn with the task graph's nodes and no statuses. Steps and
 * dependencies on a cycle are marked (the layout still places them: dagre breaks the cycle for
 * positions only). The canvas is keyed by the graph's shape, so a new shape is fitted into view.
 */
export function TemplatePreview({ dag, cycle }: { dag: Dag; cycle: { steps: Set<string>; edges: Set<string> } }) {
  const structure = structureOfDag(dag);
  const key = structureKey(structure);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the layout depends on the shape only
  const positions = useMemo(() => layoutGraphOnce(structure, key), [key]);
  const graph = useMemo(() => {
    const { nodes, edges } = dagToGraph(dag, positions);
    const below = nodes.reduce((max, node) => Math.max(max, node.position.y + STEP_NODE_HEIGHT), 0) + 28;
    return {
      nodes: nodes.map((node) => (cycle.steps.has(node.id) ? { ...node, className: 'in-cycle' } : node)),
      edges: edges.map((edge): Edge => {
        const onCycle = cycle.edges.has(`${edge.source}>${edge.target}`);
        const isBackwards = (positions[edge.source]?.x ?? 0) >= (positions[edge.target]?.x ?? 0);
        return {
          ...edge,
          ...(isBackwards ? { type: 'loopBack', data: { below } } : {}),
          className: onCycle ? 'edge-cycle' : edge.className,
          animated: onCycle,
          markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: onCycle ? 'var(--danger)' : 'var(--faint)' },
        };
      }),
    };
  }, [dag, positions, cycle]);
  const bottom = graph.nodes.reduce((max, node) => Math.max(max, node.position.y + STEP_NODE_HEIGHT), 0);
  const height = Math.min(Math.max(bottom + 120, 260), 560);
  return (
    <div
      className="graph-canvas template-preview-canvas"
      style={{ height }}
      role="group"
      aria-label="Preview of the template's steps"
      data-testid="task-graph"
    >
      <ReactFlow
        key={`${key}|${cycle.edges.size > 0 ? 'cycle' : ''}`}
        nodes={graph.nodes}
        edges={graph.edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        {...READ_ONLY_FLOW_PROPS}
        elementsSelectable={false}
        fitViewOptions={cycle.edges.size > 0 ? cycleFitViewOptions : fitViewOptions}
      >
        <FlowBackdrop />
      </ReactFlow>
    </div>
  );
}
