export default function OverviewPage() {
  return (
    <main>
      <h1>Switchyard</h1>
      <p>The orchestrator is running. The dashboard is on its way.</p>
    </main>
  );
}
