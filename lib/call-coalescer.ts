/** What a batch answers one call: its value, its own error, or `again`: put it in the next batch. */
export type CallAnswer<O> = { value: O } | { error: unknown } | { again: true };

type Waiting<I, O> = { input: I; resolve: (value: O) => void; reject: (error: unknown) => void };

/**
 * Gathers concurrent calls into batches: `runBatch` gets the inputs of every call made while the batch
 * before was running (or, when none was, in the same turn of the event loop) and answers each one by
 * its position. One batch runs at a time, at most `maxBatch` calls each; calls answered `again` go first
 * in the next batch. When `runBatch` throws (or answers fewer calls than it got), every call of that
 * batch is rejected: no caller is left waiting.
 */
export function createCallCoalescer<I, O>(
  runBatch: (inputs: I[]) => Promise<CallAnswer<O>[]>,
  { maxBatch = 500 }: { maxBatch?: number } = {},
): (input: I) => Promise<O> {
  let queue: Waiting<I, O>[] = [];
  let running = false;
  let scheduled = false;

  async function runNext(): Promise<void> {
    scheduled = false;
    if (running || queue.length === 0) {
      return;
    }
    running = true;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    const again: Waiting<I, O>[] = [];
    try {
      const answers = await runBatch(batch.map((call) => call.input));
      if (answers.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} calls was answered ${answers.length} times`);
      }
      for (const [position, answer] of answers.entries()) {
        const call = batch[position] as Waiting<I, O>;
        if ('again' in answer) {
          again.push(call);
        } else if ('error' in answer) {
          call.reject(answer.error);
        } else {
          call.resolve(answer.value);
        }
      }
    } catch (error) {
      for (const call of batch) {
        call.reject(error);
      }
    } finally {
      queue = [...again, ...queue];
      running = false;
      schedule();
    }
  }

  function schedule() {
    if (!scheduled && !running && queue.length > 0) {
      scheduled = true;
      setImmediate(() => void runNext());
    }
  }

  return (input) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      schedule();
    });
}
