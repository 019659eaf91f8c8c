/** Entry point: `node --import tsx server/main.ts`. */
import { createLogger } from 'graphql-yoga';
import { loadConfig } from './config';
import { buildServer, GRAPHQL_PATH } from './server';

const logger = createLogger('info');
const config = loadConfig();
const server = await buildServer(config);
const { url } = await server.start();
logger.info(`Fieldbook listening on ${url.replace('127.0.0.1', config.host)} (GraphQL at ${GRAPHQL_PATH})`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info(`${signal} received, stopping`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('stop failed', error);
        process.exit(1);
      },
    );
  });
}
