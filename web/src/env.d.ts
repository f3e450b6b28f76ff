// Types for the virtual module that exists only inside Vite's build: the built-in corpus (the opening chapters
// of Moby Dick) that corpus-plugin.ts bakes into the page.
declare module 'virtual:builtin-corpus' {
  /** e.g. "Moby Dick, chapters 1–33". */
  export const name: string;
  /** The CLI's name for the whole corpus. */
  export const source: string;
  export const text: string;
}
