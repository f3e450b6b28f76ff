// Stands in for node:fs/promises and node:path in the page's bundle (vite.config.ts aliases them here). The
// library reaches for them only lazily, to read and write files (src/io/files.ts); in a browser the page hands it
// bytes instead, so each stand-in throws a clear error if anything ever calls it.
const unavailable = (name: string) => (): never => {
  throw new Error(`${name} is not available in the browser: pass bytes (decodeCheckpoint, encodeCheckpoint) instead of paths`);
};

export const readFile = unavailable('fs.readFile');
export const open = unavailable('fs.open');
export const rename = unavailable('fs.rename');
export const rm = unavailable('fs.rm');
export const dirname = unavailable('path.dirname');
export const readdir = unavailable('fs.readdir');
export const lstat = unavailable('fs.lstat');
export const constants = {};
export const basename = unavailable('path.basename');
export const join = unavailable('path.join');
