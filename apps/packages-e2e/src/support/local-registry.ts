import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startListening } from './processes';
import { WORKSPACE_ROOT } from './workspace';

export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** An npm user configuration for it: the registry and a token to publish with. */
  npmrc: string;
  stop(): Promise<void>;
}

/**
 * Starts the local registry (Verdaccio with `.verdaccio/config.yml`, its
 * uplink the public npm registry) on a free loopback port, with a storage of
 * its own that is removed when it stops.
 */
export async function startLocalRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'presently-registry-'));
  const server = await startListening(process.execPath, [join(WORKSPACE_ROOT, 'tools/local-registry/serve.mjs'), '--port', '0', '--storage', join(dir, 'storage')], {
    cwd: WORKSPACE_ROOT,
    env: cleanEnv(),
  });
  const url = `http://127.0.0.1:${server.port}/`;
  const npmrc = join(dir, 'npmrc');
  // Verdaccio lets anyone publish here; npm still wants a token to send.
  writeFileSync(npmrc, [`registry=${url}`, `//127.0.0.1:${server.port}/:_authToken=local-registry`, 'audit=false', 'fund=false', 'update-notifier=false', ''].join('\n'));
  return {
    url,
    npmrc,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * This process's environment (the machine's proxy and certificate settings
 * included) without what the test runner, Nx or a calling npm put there:
 * NODE_PATH, NODE_OPTIONS, NODE_ENV, npm_* settings.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(npm_|NX_|JEST_|NODE_PATH$|NODE_OPTIONS$|NODE_ENV$|INIT_CWD$|TS_NODE_|FORCE_COLOR$)/i.test(name)),
  );
  // Plain text: the tests read the tools' output (a runner that forces colours must not colour it).
  env['NO_COLOR'] = '1';
  return env;
}

/** The environment the consumers' commands run in: {@link cleanEnv}, with npm pointed at the local registry. */
export function consumerEnv(registry: LocalRegistry, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...cleanEnv(), npm_config_userconfig: registry.npmrc, npm_config_registry: registry.url, NG_CLI_ANALYTICS: 'false', ...extra };
}
