import { AppError } from '../errors';

/** The most a request body may hold (shared/API.md §5: 413 above it). */
const MAX_BODY_BYTES = 1024 * 1024;

export type BodyMediaType = { accepts(mediaType: string): boolean; expected: string };

function parseContentType(header: string): { mediaType: string; charset: string | undefined } {
  const [type = '', ...parameters] = header.split(';');
  const charset = parameters
    .map((parameter) => parameter.trim().split('='))
    .find(([key]) => key?.trim().toLowerCase() === 'charset')?.[1]
    ?.trim()
    .replace(/^"|"$/g, '')
    .toLowerCase();
  return { mediaType: type.trim().toLowerCase(), charset };
}

async function readLimitedBytes(request: Request): Promise<Uint8Array> {
  if (!request.body) {
    return new Uint8Array();
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    size += value.byteLength;
    // Content-Length can be absent (chunked) or wrong: the bytes actually read are what count.
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(): AppError {
  return new AppError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`);
}

/**
 * The body as text, after the checks every body gets: at most 1 MiB (413, by Content-Length before
 * reading and by the bytes read), the right media type (415), UTF-8 (400). Undefined when the body is
 * empty and `optional`; an empty body that is not optional is refused as the wrong media type when it
 * has none, or as malformed.
 */
export async function readBodyText(
  request: Request,
  type: BodyMediaType,
  { optional = false }: { optional?: boolean } = {},
): Promise<string | undefined> {
  const lengthHeader = request.headers.get('content-length');
  if (lengthHeader !== null) {
    if (!/^\d+$/.test(lengthHeader.trim())) {
      throw new AppError('malformed', 'The Content-Length header is not a number');
    }
    if (Number(lengthHeader) > MAX_BODY_BYTES) {
      throw tooLarge();
    }
  }
  const contentType = request.headers.get('content-type');
  if (contentType !== null && contentType.trim() !== '') {
    const { mediaType, charset } = parseContentType(contentType);
    if (!type.accepts(mediaType)) {
      throw new AppError('unsupported_media_type', `The body must be ${type.expected}, not ${mediaType || 'an empty media type'}`);
    }
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      throw new AppError('unsupported_media_type', `The body must be UTF-8, not ${charset}`);
    }
  }
  const bytes = await readLimitedBytes(request);
  if (bytes.byteLength === 0) {
    if (optional) {
      return undefined;
    }
    if (contentType === null || contentType.trim() === '') {
      throw new AppError('unsupported_media_type', `Send the body as ${type.expected}`);
    }
    throw new AppError('malformed', 'The body is empty');
  }
  if (contentType === null || contentType.trim() === '') {
    throw new AppError('unsupported_media_type', `Send the body with Content-Type: ${type.expected}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new AppError('malformed', 'The body is not valid UTF-8', { cause: error });
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
