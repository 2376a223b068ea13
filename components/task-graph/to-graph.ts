import type { Edge, Node } from '@xyflow/react';
import type { Dag, StepError, StepSummary, TaskDetail, WaitingReason } from '../../lib/api/types';
import { isStepFailed, isStepSatisfied, type StepStatus } from '../../lib/statuses';
import { STEP_NODE_BOX, type GraphStructure, type Positions } from './layout-graph';

/** Plain values only (STYLE.md §9): no callbacks in node data. */
type StepNodeData = {
  label: string;
  handler: string;
  service: string | null;
  /** null for a template's DAG, which has no statuses. */
  status: StepStatus | null;
  attemptsThisRound: number;
  retryLimit: number;
  nextAttemptAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  errorSummary: string | null;
  /** One line on the node of a step in error or waiting to retry ("HTTP 422 · …"); the whole error is in errorSummary. */
  errorShort: string | null;
  /** A step held back by its service says so ("waiting: billing is held"); null otherwise. */
  serviceWait: string | null;
  /** When a step waiting on its service may go next (the circuit's next probe, the rate limit's next attempt); null otherwise. */
  serviceWaitUntil: string | null;
  /** For a compensation step, the step it undoes (drawn dashed, with an edge from that step); null otherwise. */
  undoes: string | null;
  selected: boolean;
};

export type StepNode = Node<StepNodeData, 'step'>;

/** A task's steps and dependencies; nodes are keyed by step name (unique within a task). */
export function structureOfTask(task: Pick<TaskDetail, 'steps'>): GraphStructure {
  const names = new Set(task.steps.map((step) => step.name));
  return {
    nodeIds: task.steps.map((step) => step.name),
    edges: task.steps.flatMap((step) => [
      ...step.depends_on.filter((dependency) => names.has(dependency)).map((dependency) => ({ source: dependency, target: step.name })),
      // A compensation step hangs off the step it undoes: the undos form a lane after the steps, in reverse order.
      ...(step.compensates && names.has(step.compensates) ? [{ source: step.compensates, target: step.name }] : []),
    ]),
  };
}

export function structureOfDag(dag: Dag): GraphStructure {
  return { nodeIds: dag.nodes.map((node) => node.id), edges: dag.edges.map(({ source, target }) => ({ source, target })) };
}

/** Equal for two graphs of the same shape, whatever their statuses: the layout's memo key. */
export function structureKey(structure: GraphStructure): string {
  return `${structure.nodeIds.join(',')}|${structure.edges.map((edge) => `${edge.source}>${edge.target}`).join(',')}`;
}

function summarizeError(step: StepSummary): string | null {
  if (!step.last_error || isStepSatisfied(step.status)) {
    return null;
  }
  const { http_status: httpStatus, code, message } = step.last_error;
  return [httpStatus ? `HTTP ${httpStatus}` : null, code, message].filter(Boolean).join(' · ');
}

/**
 * The last error in one short line, most telling part first, for the node (CSS truncates it): the HTTP
 * status and the error code, else the code or error class and the message. A code that only repeats
 * the status (`http_422`) and the "POST billing /profiles answered 422:" before a service's own words
 * are left out: the node has room for about 25 characters.
 */
export function shortenError(error: StepError): string {
  const message = error.message.replace(/\s+/g, ' ').trim();
  if (error.http_status) {
    const status = String(error.http_status);
    const code = error.code === `http_${status}` ? null : error.code;
    const answer = message.replace(new RegExp(`^.*? answered ${status}:\\s*`), '');
    return [`HTTP ${status}`, code || answer].filter(Boolean).join(' · ');
  }
  const label = error.code || error.class;
  return label ? `${label}: ${message}` : message;
}

function shortErrorOf(step: StepSummary): string | null {
  return step.last_error && isStepFailed(step.status) ? shortenError(step.last_error) : null;
}

function edgeStyleFor(sourceStatus: StepStatus | null | undefined): { className: string } {
  if (sourceStatus && isStepSatisfied(sourceStatus)) {
    return { className: 'edge-satisfied' };
  }
  if (sourceStatus === 'error') {
    return { className: 'edge-blocked' };
  }
  return { className: 'edge-waiting' };
}

/** What a step waiting on its service waits for, in a few words; null for any other wait (or none). */
export function describeServiceWait(reason: WaitingReason | null | undefined): string | null {
  if (!reason?.service) {
    return null;
  }
  switch (reason.kind) {
    case 'held':
      return `waiting: ${reason.service} is held`;
    case 'circuit_open':
      return `waiting: ${reason.service} circuit open`;
    case 'rate_limited':
      return `waiting: ${reason.service} rate limit`;
    default:
      return null;
  }
}

/** React Flow nodes and edges of a task, at the given positions; edges into running steps animate. */
export function toGraph(task: Pick<TaskDetail, 'steps'>, positions: Positions, selectedStep: string | null): { nodes: StepNode[]; edges: Edge[] } {
  const statusByName = new Map(task.steps.map((step) => [step.name, step.status]));
  const undoneBy = new Map(task.steps.flatMap((step) => (step.compensates ? [[step.name, step.compensates] as const] : [])));
  const nodes: StepNode[] = task.steps.map((step) => ({
    id: step.name,
    type: 'step',
    position: positions[step.name] ?? { x: 0, y: 0 },
    ...STEP_NODE_BOX,
    data: {
      label: step.name,
      handler: step.handler,
      service: step.service,
      status: step.status,
      attemptsThisRound: step.attempts_this_round,
      retryLimit: step.retry_limit,
      nextAttemptAt: step.status === 'waiting_retry' ? step.next_attempt_at : null,
      startedAt: step.started_at,
      // A failed step has no completion time; its last error's time ends its run.
      completedAt: step.completed_at ?? (step.status === 'error' ? (step.last_error?.at ?? null) : null),
      errorSummary: summarizeError(step),
      errorShort: shortErrorOf(step),
      serviceWait: describeServiceWait(step.waiting_reason),
      serviceWaitUntil: describeServiceWait(step.waiting_reason) ? (step.waiting_reason?.until ?? null) : null,
      undoes: step.compensates ?? null,
      selected: step.name === selectedStep,
    },
    selected: step.name === selectedStep,
  }));
  const edges: Edge[] = structureOfTask(task).edges.map(({ source, target }) => ({
    id: `${source}->${target}`,
    source,
    target,
    animated: statusByName.get(target) === 'in_progress',
    ...(undoneBy.get(target) === source ? { className: 'edge-compensates' } : edgeStyleFor(statusByName.get(source))),
  }));
  return { nodes, edges };
}

/** A template's DAG drawn with the same nodes, without statuses. */
export function dagToGraph(dag: Dag, positions: Positions, selectedStep: string | null = null): { nodes: StepNode[]; edges: Edge[] } {
  const nodes: StepNode[] = dag.nodes.map((node) => ({
    id: node.id,
    type: 'step',
    position: positions[node.id] ?? { x: 0, y: 0 },
    ...STEP_NODE_BOX,
    data: {
      label: node.label,
      handler: node.handler,
      service: node.service,
      status: null,
      attemptsThisRound: 0,
      retryLimit: 0,
      nextAttemptAt: null,
      startedAt: null,
      completedAt: null,
      errorSummary: null,
      errorShort: null,
      serviceWait: null,
      serviceWaitUntil: null,
      undoes: null,
      selected: node.id === selectedStep,
    },
  }));
  const edges: Edge[] = dag.edges.map(({ source, target }) => ({ id: `${source}->${target}`, source, target, className: 'edge-waiting' }));
  return { nodes, edges };
}
