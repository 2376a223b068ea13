'use client';
import '@xyflow/react/dist/style.css';
import { Background, Controls, ReactFlow, type Edge, type NodeMouseHandler } from '@xyflow/react';
import { useCallback, useMemo, type KeyboardEvent } from 'react';
import type { Dag, TaskDetail } from '../../lib/api/types';
import { layoutGraph, STEP_NODE_HEIGHT } from './layout-graph';
import { StepNode } from './step-node';
import { dagToGraph, structureKey, structureOfDag, structureOfTask, toGraph, type GraphStructure, type StepNode as StepNodeType } from './to-graph';

const nodeTypes = { step: StepNode };
// The whole graph fits on open, so a failing step (red) stands out even among 200; zoom in with the controls.
const fitViewOptions = { padding: 0.12, maxZoom: 1.1 };
const proOptions = { hideAttribution: true };

/**
 * Positions computed once per structure: the key is the structure's string form, so a new TaskDetail
 * with the same steps and edges keeps the same positions object and nothing moves.
 */
function useStableLayout(structure: GraphStructure) {
  const key = structureKey(structure);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- memoised on the structure's key on purpose
  return useMemo(() => layoutGraph(structure), [key]);
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
  const graph = useMemo(() => toGraph(task, positions, props.selectedStep), [task, positions, props.selectedStep]);
  return <GraphCanvas {...graph} {...props} label={`Steps of task ${task.id}`} />;
}

/** A template's DAG, drawn with the same nodes but no statuses. */
export function TemplateGraph({ dag, ...props }: GraphProps & { dag: Dag }) {
  const positions = useStableLayout(structureOfDag(dag));
  const graph = useMemo(() => dagToGraph(dag, positions, props.selectedStep), [dag, positions, props.selectedStep]);
  return <GraphCanvas {...graph} {...props} label="Steps of the template" />;
}

function GraphCanvas({
  nodes,
  edges,
  onSelectStep,
  height = 'auto',
  label,
}: GraphProps & { nodes: StepNodeType[]; edges: Edge[]; label: string }) {
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
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        elementsSelectable
        fitView
        fitViewOptions={fitViewOptions}
        minZoom={0.05}
        maxZoom={2}
        proOptions={proOptions}
      >
        <Background gap={16} size={1} color="#e2e6ec" />
        <Controls showInteractive={false} orientation="horizontal" />
      </ReactFlow>
    </div>
  );
}
