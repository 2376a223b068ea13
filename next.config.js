/**
 * No page or response of the dashboard may be shown inside another site's frame, where its buttons
 * would be live under someone else's page (clickjacking). The old header and the CSP directive that
 * replaced it, for every path.
 */
const FRAME_HEADERS = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Content-Security-Policy', value: "frame-ancestors 'none'" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships WASM and data files that must be loaded from node_modules at run time, not bundled.
  serverExternalPackages: ['@electric-sql/pglite', 'pino', 'prom-client'],
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [{ source: '/:path*', headers: FRAME_HEADERS }];
  },
};

export default nextConfig;
