/** The theme someone chose with the sidebar's toggle; 'system' follows prefers-color-scheme. */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_STORAGE_KEY = 'switchyard-theme';

/**
 * Run in <head> before the first paint (app/layout.tsx): puts a remembered choice on <html> as
 * data-theme, so a dark page never flashes light while React loads. Without a choice the stylesheet's
 * light-dark() colours follow prefers-color-scheme by themselves.
 */
export const THEME_BOOT_SCRIPT = `try{var t=localStorage.getItem('${THEME_STORAGE_KEY}');if(t==='light'||t==='dark'){document.documentElement.dataset.theme=t}}catch(e){}`;

export function readThemeChoice(stored: string | null): ThemeChoice {
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

/** Applies and remembers a choice; 'system' forgets it. */
export function applyThemeChoice(choice: ThemeChoice): void {
  const root = document.documentElement;
  try {
    if (choice === 'system') {
      localStorage.removeItem(THEME_STORAGE_KEY);
    } else {
      localStorage.setItem(THEME_STORAGE_KEY, choice);
    }
  } catch {
    // Storage may be off (a private window's policy): the choice then lasts for this page only.
  }
  if (choice === 'system') {
    delete root.dataset.theme;
  } else {
    root.dataset.theme = choice;
  }
}
