import { Injectable, type OnApplicationShutdown } from '@nestjs/common';

/** Whether the process takes traffic: false from the start of shutdown. */
@Injectable()
export class Lifecycle implements OnApplicationShutdown {
  ready = true;

  onApplicationShutdown(): void {
    this.ready = false;
  }
}
