/** Entry point: `node --import tsx server/main.ts`. Logs are JSON lines on stdout. */
import { loadConfig } from './config';
import { createJsonLogger } from './log';
import { buildServer, GRAPHQL_PATH } from './server';

const logger = createJsonLogger('info');
const config = loadConfig();
const server = await buildServer(config, { logger });
const { url } = await server.start();
logger.info('listening', { url, host: config.host, graphql: GRAPHQL_PATH, database: config.databaseUrl ? 'postgres' : 'pglite', pid: process.pid });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info('stopping', { signal });
    server.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('stop failed', error);
        process.exit(1);
      },
    );
  });
}
