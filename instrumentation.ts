/** Next.js calls register() once per server process before it serves: start the runtime there. */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startWebProcess } = await import('./lib/runtime/start-web-process');
    await startWebProcess();
  }
}
