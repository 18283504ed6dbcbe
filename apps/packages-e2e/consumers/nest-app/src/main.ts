// The same Nest app on Nest 11 (compiled to CommonJS, as `nest new` does for
// Nest 11) and on Nest 12 (compiled to ESM, as `nest new` does for Nest 12):
// presence is one import.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PresenceModule } from '@presently/nest';
import type { AddressInfo } from 'node:net';

@Module({ imports: [PresenceModule.forRoot()] })
class AppModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port })}\n`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
