/** The tabs of the template studio; `?tab=` picks one (shared by the server page and the client). */
export const STUDIO_TABS = ['edit', 'versions', 'try'] as const;
export type StudioTab = (typeof STUDIO_TABS)[number];

export function isStudioTab(value: string): value is StudioTab {
  return (STUDIO_TABS as readonly string[]).includes(value);
}
