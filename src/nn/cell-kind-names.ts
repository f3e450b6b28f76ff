// The names of the built-in cell kinds, alone in a file without imports so that the command line can offer them
// (`--cell lstm|gru|rnn`) without loading the library. Everything else about each kind is in cell-kinds.ts,
// whose table is typed by these names: a kind added here does not compile until it is described there.
export const CELL_KINDS = ['lstm', 'gru', 'rnn'] as const;
export type CellKind = (typeof CELL_KINDS)[number];
