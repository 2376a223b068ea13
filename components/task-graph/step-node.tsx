'use client';

import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { StatusIcon } from '../status/status-icon';
import { statusLabel, statusTone } from '../status/status-style';
import { Countdown } from '../time/countdown';
import { durationBetween, formatDuration } from '../time/format-time';
import { useNow } from '../time/use-now';
import type { StepNode as StepNodeType } from './to-graph';
import '../tasks/compensation.css';

/**
 * One step of the DAG: name, status (colour, icon and words), attempts of its limit, countdown or
 * duration, and for a failing step its last error in one truncated line. The node's box never changes
 * size (layout-graph.ts's STEP_NODE_BOX): the error line takes room from the rows' spacing, not more.
 */
function StepNodeView({ data }: NodeProps<StepNodeType>) {
  const tone = data.status ? statusTone(data.status) : 'idle';
  return (
    <div
      className={`step-node tone-${tone}${data.selected ? ' selected' : ''}${data.status ? '' : ' template'}${data.errorShort ? ' has-error' : ''}${data.undoes ? ' compensation' : ''}`}
      data-step={data.label}
      data-kind={data.undoes ? 'compensation' : 'step'}
      data-status={data.status ?? 'template'}
      title={data.errorSummary ? `${data.label}: ${data.errorSummary}` : data.label}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="step-node-name">
        {data.undoes ? (
          <span className="step-node-undo" title={`undoes ${data.undoes}`}>
            ↶
          </span>
        ) : null}
        {data.label}
      </div>
      {data.status ? (
        <>
          <div className="step-node-status">
            <StatusIcon status={data.status} />
            <span>{statusLabel(data.status)}</span>
            <span className="step-node-attempts" title="attempts used of the limit since the last operator retry">
              {data.attemptsThisRound}/{data.retryLimit}
            </span>
          </div>
          {data.errorShort ? (
            <div className="step-node-error" data-testid="step-node-error">
              {data.errorShort}
            </div>
          ) : null}
          <div className="step-node-meta">
            {data.serviceWait ? (
              <span className="step-node-waiting" data-testid="step-node-waiting" title={data.serviceWait}>
                {data.serviceWait}
                {data.serviceWaitUntil ? (
                  <>
                    , {data.serviceWait.includes('circuit') ? 'probe' : 'next'} <Countdown iso={data.serviceWaitUntil} />
                  </>
                ) : null}
              </span>
            ) : data.nextAttemptAt ? (
              <span>
                retry <Countdown iso={data.nextAttemptAt} />
              </span>
            ) : (
              <StepDuration startedAt={data.startedAt} completedAt={data.completedAt} running={data.status === 'in_progress'} />
            )}
            {/* A wait on the service names it already: the text takes the chip's room. */}
            {data.service && !data.serviceWait ? <span className="step-node-service">{data.service}</span> : null}
          </div>
        </>
      ) : (
        <>
          <div className="step-node-handler mono" title={data.handler}>
            {data.handler}
          </div>
          <div className="step-node-meta">
            <span />
            {data.service ? <span className="step-node-service">{data.service}</span> : <span className="muted">no service</span>}
          </div>
        </>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

function StepDuration({ startedAt, completedAt, running }: { startedAt: string | null; completedAt: string | null; running: boolean }) {
  if (!startedAt) {
    return <span className="muted">not started</span>;
  }
  if (running) {
    return <RunningDuration startedAt={startedAt} />;
  }
  if (!completedAt) {
    return <span className="muted">stopped</span>;
  }
  return <span title="from the start of its first attempt to its end">{formatDuration(durationBetween(startedAt, completedAt, 0) ?? 0)}</span>;
}

function RunningDuration({ startedAt }: { startedAt: string }) {
  const now = useNow();
  return <span>{now === 0 ? '' : `${formatDuration(durationBetween(startedAt, null, now) ?? 0)} so far`}</span>;
}

export const StepNode = memo(StepNodeView);
