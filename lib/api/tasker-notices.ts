/**
 * The two kinds of notice that reading a Tasker template gives (shared/API.md §3): a key that was
 * mapped onto Switchyard's own (a class name to a handler, a URL to a service…), and a key accepted
 * that has no effect here. Client-safe: the studio draws them in two colours.
 */
export const NO_EFFECT = 'accepted, has no effect here';

export type NoticeKind = 'mapped' | 'no_effect';

/** A notice whose message starts with "accepted, has no effect here" is a key without effect; any other was mapped. */
export function noticeKind(message: string): NoticeKind {
  return message.startsWith(NO_EFFECT) ? 'no_effect' : 'mapped';
}
