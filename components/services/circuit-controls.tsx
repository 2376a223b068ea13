'use client';

import { useId, useState } from 'react';
import { useChangeCircuit, type CircuitAction } from '../../lib/api/services';
import { usePermission } from '../../lib/api/session';
import type { ServiceInfo } from '../../lib/api/types';
import { ErrorMessage } from '../feedback/error-state';

const ACTIONS: { action: CircuitAction; label: string; hint: string; from: readonly string[] }[] = [
  { action: 'probe', label: 'Probe now', hint: 'Send the one probe call now instead of at the end of the cool-down', from: ['open', 'half_open'] },
  { action: 'close', label: 'Close circuit', hint: 'Calls go through again; the steps waiting on it start, spread out', from: ['open', 'half_open'] },
  {
    action: 'open',
    label: 'Open circuit',
    hint: 'No step of it starts until a probe call gets an answer after the cool-down (to stop it for longer, hold it)',
    from: ['closed', 'half_open'],
  },
];

/**
 * Probe now, Close circuit, Open circuit (POST /services/{name}/circuit): operator only, with a reason
 * that is audited with the change. Each button says why it is unavailable (the circuit's state, or the role).
 */
export function CircuitControls({ service }: { service: ServiceInfo }) {
  const change = useChangeCircuit();
  const mayChange = usePermission('operator', 'probe, close or open a circuit');
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const state = service.circuit.state;
  const run = (action: CircuitAction) => change.mutate({ name: service.name, action, reason: reason.trim() }, { onSuccess: () => setReason('') });
  return (
    <section className="stack" style={{ gap: 8 }} aria-label={`Circuit of ${service.name}`} data-testid="circuit-controls">
      <div className="toolbar" style={{ margin: 0 }}>
        <label className="field grow" htmlFor={reasonId}>
          <span>circuit reason</span>
          <input
            id={reasonId}
            type="text"
            maxLength={1000}
            placeholder="e.g. provider says billing is fixed"
            value={reason}
            disabled={!mayChange.allowed}
            onChange={(event) => setReason(event.target.value)}
          />
        </label>
        <div className="action-row" role="group" aria-label={`Circuit actions for ${service.name}`} style={{ alignSelf: 'flex-end' }}>
          {ACTIONS.map((item) => {
            const fits = item.from.includes(state);
            const why =
              mayChange.reason ??
              (!fits
                ? `The circuit is ${state.replace('_', '-')}`
                : reason.trim() === ''
                  ? 'Say why first: it is audited with the change'
                  : item.hint);
            return (
              <button
                key={item.action}
                type="button"
                className="button small"
                data-circuit-action={item.action}
                disabled={change.isPending || !mayChange.allowed || !fits || reason.trim() === ''}
                title={why}
                onClick={() => run(item.action)}
              >
                {item.label}
              </button>
            );
          })}
        </div>
      </div>
      {change.isError ? <ErrorMessage error={change.error} /> : null}
    </section>
  );
}
