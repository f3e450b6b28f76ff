// A stand-in for the npm registry on a free localhost port: serves one package tarball at npm's path for it
// (/<name>/-/<basename>-<version>.tgz), answers 404 to anything else, and records every request.
import { createServer } from 'node:http';

export interface FakeRegistry {
  url: string;
  requests: string[];
  close(): void;
}

export async function serveTarball(name: string, version: string, tarball: Uint8Array): Promise<FakeRegistry> {
  const path = `/${name}/-/${name.split('/').pop()}-${version}.tgz`;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === path) res.end(tarball);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, requests, close: () => void server.close() };
}
