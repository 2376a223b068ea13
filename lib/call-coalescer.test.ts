import { describe, expect, it } from 'vitest';
import { createCallCoalescer, type CallAnswer } from './call-coalescer';

/** A batch runner that records its batches and answers each input doubled, until `release` lets it finish. */
function recordingRunner() {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  let gate = Promise.resolve();
  return {
    batches,
    hold() {
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
    async run(inputs: number[]): Promise<CallAnswer<number>[]> {
      batches.push(inputs);
      await gate;
      return inputs.map((input) => ({ value: input * 2 }));
    },
  };
}

describe('createCallCoalescer', () => {
  it('runs the calls of one turn together, and the calls made while a batch runs in the next one', async () => {
    const runner = recordingRunner();
    const call = createCallCoalescer((inputs: number[]) => runner.run(inputs));
    runner.hold();
    const first = [call(1), call(2), call(3)];
    await new Promise((resolve) => setImmediate(resolve));
    const second = [call(4), call(5)];
    runner.release();
    expect(await Promise.all([...first, ...second])).toEqual([2, 4, 6, 8, 10]);
    expect(runner.batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('takes at most maxBatch calls a batch', async () => {
    const runner = recordingRunner();
    const call = createCallCoalescer((inputs: number[]) => runner.run(inputs), { maxBatch: 2 });
    expect(await Promise.all([call(1), call(2), call(3), call(4), call(5)])).toEqual([2, 4, 6, 8, 10]);
    expect(runner.batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("gives each call its own error, and sends a call answered 'again' first in the next batch", async () => {
    const batches: number[][] = [];
    const call = createCallCoalescer(async (inputs: number[]): Promise<CallAnswer<number>[]> => {
      batches.push(inputs);
      return inputs.map((input, position) =>
        input < 0 ? { error: new Error(`refused ${input}`) } : input === 3 && position > 0 ? { again: true } : { value: input },
      );
    });
    const outcomes = await Promise.allSettled([call(1), call(-2), call(3), call(4)]);
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual([
      1,
      'refused -2',
      3,
      4,
    ]);
    expect(batches).toEqual([[1, -2, 3, 4], [3]]);
  });

  it('rejects every call of a batch that throws or answers too few, and runs the next batch as usual', async () => {
    let mode: 'throw' | 'short' | 'ok' = 'throw';
    const call = createCallCoalescer(async (inputs: number[]): Promise<CallAnswer<number>[]> => {
      if (mode === 'throw') {
        throw new Error('the database is gone');
      }
      return mode === 'short' ? [{ value: 0 }] : inputs.map((input) => ({ value: input }));
    });
    const thrown = await Promise.allSettled([call(1), call(2), call(3)]);
    expect(thrown.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).message)).toEqual([
      'the database is gone',
      'the database is gone',
      'the database is gone',
    ]);
    mode = 'short';
    const short = await Promise.allSettled([call(1), call(2)]);
    expect(short.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    mode = 'ok';
    expect(await Promise.all([call(7), call(8)])).toEqual([7, 8]);
  });
});
