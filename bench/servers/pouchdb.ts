/**
 * The PouchDB peer's server: express-pouchdb (what pouchdb-server runs) on PouchDB for
 * Node, LevelDB on disk in DATA_DIR (on disk like PGlite, rather than in memory), on PORT.
 */
import { createServer } from 'node:http';
import path from 'node:path';
import PouchDB from 'pouchdb-node';
import expressPouchDB from 'express-pouchdb';

const dataDir = process.env['DATA_DIR']!;
const app = expressPouchDB(PouchDB.defaults({ prefix: `${dataDir}${path.sep}` }), {
  mode: 'minimumForPouchDB',
  inMemoryConfig: true,
  logPath: path.join(dataDir, 'log.txt'),
});
const server = createServer(app);
server.listen(Number(process.env['PORT']), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
