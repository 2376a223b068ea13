import { NextResponse, type NextRequest } from 'next/server';
import { ensurePeerGuard, readVerifiedPeer } from '@/lib/auth/peer-guard';
import { checkRequestPerimeter, readPerimeterConfig, type PerimeterConfig } from '@/lib/auth/request-perimeter';
import { readEnv } from '@/lib/env';
import { errorResponse } from '@/lib/http/error-response';

let perimeterConfig: PerimeterConfig | undefined;

/**
 * Runs before every page, route and file (Next.js's proxy, Node.js runtime, in the server's process):
 * refuses what lib/auth/request-perimeter.ts says may not be served, with the API's error shape under
 * /api and plain text elsewhere.
 */
export function proxy(request: NextRequest) {
  perimeterConfig ??= readPerimeterConfig(readEnv());
  // Installed by instrumentation before the first request is served; this only covers a server that
  // skipped it, and then the current request is not vouched for.
  ensurePeerGuard({ refuseNonLoopback: perimeterConfig.localMode });
  const refusal = checkRequestPerimeter(request, perimeterConfig, readVerifiedPeer(request.headers));
  if (refusal === undefined) {
    return NextResponse.next();
  }
  if (request.nextUrl.pathname.startsWith('/api/')) {
    return errorResponse('forbidden', refusal, [], { 'Cache-Control': 'no-store' });
  }
  return new Response(`${refusal}\n`, { status: 403, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}
