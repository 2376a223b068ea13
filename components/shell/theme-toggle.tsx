'use client';

import { useEffect, useState } from 'react';
import { applyThemeChoice, readThemeChoice, THEME_STORAGE_KEY, type ThemeChoice } from './theme';

const CHOICES: { value: ThemeChoice; label: string; title: string }[] = [
  { value: 'system', label: 'Auto', title: 'Follow the system’s light or dark setting' },
  { value: 'light', label: 'Light', title: 'Always light' },
  { value: 'dark', label: 'Dark', title: 'Always dark' },
];

/** Light, dark, or as the system says: remembered in this browser (localStorage), applied before the first paint. */
export function ThemeToggle() {
  // The server cannot know the stored choice: read it once mounted.
  const [choice, setChoice] = useState<ThemeChoice | null>(null);
  useEffect(() => {
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(THEME_STORAGE_KEY);
    } catch {
      stored = null;
    }
    setChoice(readThemeChoice(stored));
  }, []);
  return (
    <div className="theme-toggle" role="group" aria-label="Theme" data-testid="theme-toggle">
      {CHOICES.map((option) => (
        <button
          key={option.value}
          type="button"
          aria-pressed={choice === option.value}
          title={option.title}
          onClick={() => {
            applyThemeChoice(option.value);
            setChoice(option.value);
          }}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
